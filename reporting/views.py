import datetime
from collections import defaultdict

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from accounts import storage
from accounts.access import ADMIN, EVALUATOR, OFFICER, role_required
from accounts.templatetags.moments import format_moment

from .cycles import choose_cycle, cycles_with_periods, period_or_404
from .edit_screen import edit_sections
from .extension_screen import requests_on_screen
from .forms import EvidenceItemForm, ExtensionDecisionForm, ExtensionRequestForm, OfficerReportForm
from .models import (
    Evidence,
    Extension,
    ExtensionRequest,
    Period,
    Report,
    ReportStatus,
)
from .presenters import (
    deadline_info,
    duplicate_flags,
    evidence_by_requirement,
    officer_period_rows,
    report_timeline,
)
from .requirements import report_requirements
from .services import (
    AlreadySubmitted,
    IncompleteReport,
    ReportingError,
    StaleReport,
    SubmissionClosed,
    decide_extension,
    missing_items,
    request_extension,
    save_draft,
    start_report,
    store_evidence_files,
    submission_window_open,
    submit_report,
)
from .uploads import limit_evidence_uploads, mark_oversize_uploads


@role_required(OFFICER)
def officer_home(request):
    """The officer's periods of the current cycle, with the region's own deadlines."""
    user = request.user
    cycles = cycles_with_periods()
    cycle = choose_cycle(request, cycles, today=user.region.today())
    periods = list(cycle.periods.all()) if cycle else []
    rows = officer_period_rows(user.region, periods)
    return render(
        request,
        "reporting/officer_home.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "region": user.region,
            "rows": rows,
        },
    )


@role_required(OFFICER)
@limit_evidence_uploads
@require_http_methods(["GET", "POST"])
def report_edit(request, period_pk):
    """The officer's report of a period: fill in, upload, save as draft, submit."""
    user = request.user
    region = user.region
    period = period_or_404(period_pk)
    blocks = report_requirements(region, period)
    if not blocks:
        raise Http404
    report = Report.objects.for_period(region, period)
    if report is not None and not report.is_editable_by_reporter:
        if request.method == "POST":
            messages.info(request, _("Laporan ini sudah terkirim dan tidak dapat diubah lagi."))
        return redirect("reporting:report-detail", pk=report.pk)
    extension = Extension.objects.for_period(region, period)
    deadline = deadline_info(region, period, extension, timezone.now())
    entries = {entry.action_id: entry for entry in report.entries.all()} if report else {}
    current = evidence_by_requirement(report) if report else {}
    missing = []
    conflict = None

    if request.method == "POST":
        form = OfficerReportForm(
            blocks,
            report,
            entries=entries,
            evidence=current,
            data=request.POST,
            files=request.FILES,
        )
        form.mark_oversize_uploads(request)
        if not form.is_valid():
            messages.error(request, _not_saved_message(request))
        else:
            report = report or start_report(region, period, by=user)
            try:
                report = save_draft(report, form.changes(), by=user)
            except StaleReport as error:
                conflict = error.report
                form.set_revision(conflict.revision)
                messages.error(request, str(error))
            except AlreadySubmitted as error:
                messages.info(request, str(error))
                return redirect("reporting:report-detail", pk=report.pk)
            else:
                if "kirim" not in request.POST:
                    messages.success(
                        request,
                        _("Draf tersimpan: %(when)s.")
                        % {"when": format_moment(timezone.now(), region)},
                    )
                    return redirect("reporting:report-edit", period_pk=period.pk)
                if "confirmed" not in request.POST:
                    missing = missing_items(report)
                    if not missing and submission_window_open(report, timezone.now()):
                        return _confirm_submit(request, blocks, report, deadline)
                try:
                    if missing:
                        raise IncompleteReport(missing)
                    submit_report(report, by=user)
                except IncompleteReport as error:
                    missing = error.missing
                    messages.warning(
                        request,
                        _(
                            "Draf tersimpan, tetapi laporan belum dapat dikirim karena belum "
                            "lengkap."
                        ),
                    )
                except (SubmissionClosed, AlreadySubmitted) as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, _("Laporan terkirim ke Kanwil. Terima kasih."))
                    return redirect("reporting:report-detail", pk=report.pk)
                # The saved draft is what the form should show now.
                return _render_edit(
                    request,
                    period,
                    region,
                    report,
                    deadline,
                    _saved_form(blocks, report),
                    missing=missing,
                )
    else:
        form = OfficerReportForm(blocks, report, entries=entries, evidence=current)
    return _render_edit(
        request, period, region, report, deadline, form, missing=missing, conflict=conflict
    )


def submit_consequences(region, period, report, deadline):
    """What sending the report does, said before the officer confirms (dialog and page)."""
    lines = [
        _("Laporan %(period)s %(region)s dikirim ke Kanwil untuk diverifikasi.")
        % {"period": period, "region": region.name},
        _("Setelah dikirim, laporan tidak dapat diubah lagi kecuali dikembalikan oleh Kanwil."),
    ]
    if report is not None and report.status == ReportStatus.RETURNED:
        lines.append(
            _(
                "Ini kiriman ulang atas permintaan perbaikan: waktunya menentukan nilai "
                "responsivitas."
            )
        )
    elif report is None or report.first_submitted_at is None:
        lines.append(
            _(
                "Waktu kiriman ini dicatat sebagai kiriman pertama, dasar nilai ketepatan waktu "
                "(batas: %(deadline)s)."
            )
            % {"deadline": format_moment(deadline.due, region)}
        )
    return lines


def _confirm_submit(request, blocks, report, deadline):
    """The no-JavaScript second look: the saved draft's fields, to be posted again."""
    entries = {entry.action_id: entry for entry in report.entries.all()}
    files = evidence_by_requirement(report)
    fields = [
        ("revision", report.revision),
        ("notes", report.notes),
        ("proposals", report.proposals),
        ("kirim", "1"),
    ]
    details = []
    for block in blocks:
        entry = entries.get(block.action.pk)
        prefix = f"aksi-{block.action.pk}"
        fields += [
            (f"{prefix}-narrative", entry.narrative if entry else ""),
            (f"{prefix}-progress", entry.progress if entry else ""),
        ]
        count = sum(len(files.get(req.pk, ())) for req in block.requirements)
        details.append(
            _("Aksi %(number)s: %(progress)s · %(count)s berkas data dukung")
            % {
                "number": block.action.number,
                "progress": entry.get_progress_display() if entry else "—",
                "count": count,
            }
        )
    return render(
        request,
        "confirm.html",
        {
            "heading": _("Kirim laporan?"),
            "lead": _("Draf sudah tersimpan, termasuk berkas yang diunggah."),
            "consequences": submit_consequences(report.region, report.period, report, deadline),
            "details_heading": _("Isi yang dikirim"),
            "details": details,
            "action": request.path,
            "fields": fields,
            "confirm_label": _("Ya, kirim laporan"),
            "back_url": reverse("reporting:report-edit", args=[report.period.pk]),
            "back_label": _("Kembali ke draf"),
        },
    )


def _render_edit(request, period, region, report, deadline, form, *, missing=(), conflict=None):
    open_requests = []
    if report is not None:
        open_requests = list(
            report.revision_requests.filter(answered_at__isnull=True).prefetch_related("items")
        )
    rejections = defaultdict(list)
    for revision_request in open_requests:
        for item in revision_request.items.all():
            rejections[item.requirement_id].append(item)
    stored = {e.action_id: e for e in conflict.entries.all()} if conflict else {}
    # The template shows, next to each field, what the evaluator asked and what is stored now.
    sections = edit_sections(form, period, region, rejections=rejections, stored=stored)
    return render(
        request,
        "reporting/report_edit.html",
        {
            "period": period,
            "region": region,
            "report": report,
            "form": form,
            "sections": sections,
            "deadline": deadline,
            "missing": missing,
            "conflict": conflict,
            "open_requests": open_requests,
            "to_fix": _items_to_fix(sections),
            "submit_consequences": submit_consequences(region, period, report, deadline),
        },
    )


def _not_saved_message(request):
    if request.FILES:
        return _(
            "Laporan belum disimpan: periksa isian yang ditandai merah. Berkas yang sudah "
            "dipilih perlu dipilih ulang; teks Anda tetap ada."
        )
    # Files chosen with the page's script are already in the draft: nothing to pick again.
    return _(
        "Laporan belum disimpan: periksa isian yang ditandai merah. Teks Anda dan berkas yang "
        "sudah tersimpan tetap ada."
    )


def _items_to_fix(sections):
    """(EditSection, EditItem) of every item with an open rejection, in the form's order."""
    return [(section, item) for section in sections for item in section.items if item.rejections]


@role_required(OFFICER)
@limit_evidence_uploads
@require_POST
def evidence_upload(request, period_pk, requirement_pk):
    """Store the files just chosen for one evidence item in the region's draft, at once.

    Called by the form's script for each file as it is picked (field ``dok-<id>-files``, and
    ``ganti`` with the id of the file it replaces), so that a failed save or submit never asks
    for them again. The same checks as the form's; answers JSON.
    """
    region = request.user.region
    period = get_object_or_404(Period, pk=period_pk)
    requirement = next(
        (
            req
            for block in report_requirements(region, period)
            for req in block.requirements
            if req.pk == requirement_pk
        ),
        None,
    )
    if requirement is None:
        raise Http404
    report = Report.objects.for_period(region, period)
    if report is not None and not report.is_editable_by_reporter:
        return _upload_refused(_("Laporan sudah dikirim dan tidak dapat diubah lagi."), 409)
    current = evidence_by_requirement(report).get(requirement.pk, []) if report else []
    form = EvidenceItemForm(
        request.POST, request.FILES, prefix=f"dok-{requirement.pk}", current=current
    )
    mark_oversize_uploads(form, request)
    if not form.is_valid():
        return _upload_refused([str(m) for e in form.errors.values() for m in e], 400)
    uploads = form.cleaned_data["files"]
    replaces = request.POST.get("ganti") or None
    if replaces is not None:
        replaces = next((e.pk for e in current if str(e.pk) == replaces), None)
        if replaces is None or len(uploads) != 1:
            return _upload_refused(_("Pilih satu berkas pengganti untuk berkas ini."), 400)
    if not uploads:
        return _upload_refused(_("Tidak ada berkas yang dipilih."), 400)
    report = report or start_report(region, period, by=request.user)
    try:
        stored = store_evidence_files(
            report, requirement.pk, uploads, by=request.user, replaces=replaces
        )
    except AlreadySubmitted as error:
        return _upload_refused(str(error), 409)
    except ReportingError as error:
        return _upload_refused(str(error), 400)
    return JsonResponse(
        {
            "files": [_evidence_json(evidence, region) for evidence in stored],
            "replaced": replaces,
        },
        status=201,
    )


def _upload_refused(errors, status):
    return JsonResponse({"errors": [errors] if isinstance(errors, str) else errors}, status=status)


def _evidence_json(evidence, region):
    uploaded_at = timezone.localtime(evidence.uploaded_at, region.zone)
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "size": filesizeformat(evidence.size),
        "uploaded_at": f"{date_format(uploaded_at, 'j M Y H.i')} {region.zone_abbreviation}",
        "url": reverse("reporting:evidence-file", args=[evidence.pk]),
    }


def _saved_form(blocks, report):
    report.refresh_from_db()
    entries = {entry.action_id: entry for entry in report.entries.all()}
    return OfficerReportForm(
        blocks, report, entries=entries, evidence=evidence_by_requirement(report)
    )


@role_required(OFFICER, EVALUATOR, ADMIN)
def report_detail(request, pk):
    """A report as it stands, read-only: entries, evidence, revision rounds and timeline."""
    report = get_object_or_404(
        Report.objects.visible_to(request.user).select_related("region", "period__cycle"), pk=pk
    )
    blocks = report_requirements(report.region, report.period)
    entries = {entry.action_id: entry for entry in report.entries.all()}
    evidence = evidence_by_requirement(report)
    show_duplicates = not request.user.is_officer
    extension = Extension.objects.for_period(report.region, report.period)
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "sections": [
                (
                    block,
                    entries.get(block.action.pk),
                    [(req, evidence.get(req.pk, [])) for req in block.requirements],
                )
                for block in blocks
            ],
            "duplicates": duplicate_flags(report, viewer=request.user) if show_duplicates else {},
            "deadline": deadline_info(report.region, report.period, extension, timezone.now()),
            "requests": list(
                report.revision_requests.select_related("returned_by").prefetch_related(
                    "items__requirement"
                )
            ),
            "versions": list(report.versions.select_related("submitted_by")),
            "timeline": report_timeline(report),
            "can_edit": request.user.is_officer and report.is_editable_by_reporter,
        },
    )


@role_required(OFFICER, EVALUATOR, ADMIN)
def report_version(request, pk, number):
    """Exactly what was sent in one submission round."""
    report = get_object_or_404(
        Report.objects.visible_to(request.user).select_related("region", "period__cycle"), pk=pk
    )
    version = get_object_or_404(report.versions.select_related("submitted_by"), number=number)
    blocks = {block.action.pk: block for block in report_requirements(report.region, report.period)}
    requirement_names = {
        req.pk: req.name for block in blocks.values() for req in block.requirements
    }
    return render(
        request,
        "reporting/report_version.html",
        {
            "report": report,
            "version": version,
            "blocks": blocks,
            "requirement_names": requirement_names,
        },
    )


@role_required(OFFICER, EVALUATOR, ADMIN)
@xframe_options_sameorigin
def evidence_file(request, pk):
    """An evidence file, only for those who may see its report; inline unless ?unduh=1."""
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    # Handed out by the bucket (presigned URL) or nginx when configured, else streamed; with
    # the name the upload kept (its verified extension) and the type sniffed on upload.
    return storage.download(
        evidence.file.name,
        filename=evidence.original_name,
        content_type=evidence.content_type,
        as_attachment=request.GET.get("unduh") == "1",
        headers={
            "X-Content-Type-Options": "nosniff",
            # A file opened inline runs in a sandbox: no script, no forms, no same-origin
            # access. Chromium's PDF viewer and image display still work inside it.
            "Content-Security-Policy": "sandbox",
        },
    )


# --- extension requests --------------------------------------------------------------------


def _back(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@role_required(OFFICER)
@require_POST
def extension_request(request):
    """An officer asks for a later due date for its region and one period."""
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi tanggal dan alasan permintaan perpanjangan."))
        return _back(request, "reporting:officer-home")
    period = get_object_or_404(
        Period.objects.select_related("cycle"), pk=form.cleaned_data["period"]
    )
    if not report_requirements(request.user.region, period):
        raise Http404
    try:
        request_extension(
            request.user.region,
            period,
            due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ReportingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Permintaan perpanjangan dikirim ke Kanwil."))
    return _back(request, "reporting:officer-home")


@role_required(EVALUATOR, ADMIN)
def extension_requests(request):
    """Requests of the regions in the user's scope: pending first, then the latest decided."""
    pending, decided = requests_on_screen(ExtensionRequest.objects.visible_to(request.user))
    return render(
        request, "reporting/extension_requests.html", {"pending": pending, "decided": decided}
    )


def extension_decision_consequences(extension_request, grant, due_on=None, reason=""):
    """What granting or refusing a request does, said before it is done."""
    region, period = extension_request.region, extension_request.period
    if grant:
        due_on = due_on or extension_request.due_on
        deadline = datetime.datetime.combine(due_on, datetime.time(23, 59), tzinfo=region.zone)
        return [
            _("Batas lapor %(region)s %(period)s menjadi %(deadline)s.")
            % {
                "region": region.name,
                "period": period,
                "deadline": format_moment(deadline, region),
            },
            _("Nilai ketepatan waktu dihitung dari batas baru ini."),
            _("Petugas daerah diberi tahu."),
        ]
    return [
        _("Permintaan %(region)s ditolak; batas lapor %(period)s tidak berubah.")
        % {"region": region.name, "period": period},
        _("Alasan penolakan dikirim ke petugas daerah: %(reason)s") % {"reason": reason or "—"},
    ]


def _confirm_extension_decision(request, extension_request, form, grant):
    data = form.cleaned_data
    fields = [("decision", data["decision"]), ("reason", data["reason"])]
    if data["due_on"]:
        fields.append(("due_on", data["due_on"].isoformat()))
    return render(
        request,
        "confirm.html",
        {
            "heading": _("Kabulkan perpanjangan?")
            if grant
            else _("Tolak permintaan perpanjangan?"),
            "consequences": extension_decision_consequences(
                extension_request, grant, data["due_on"], data["reason"]
            ),
            "action": request.path,
            "fields": fields,
            "confirm_label": _("Ya, kabulkan") if grant else _("Ya, tolak"),
            "confirm_class": "btn-success" if grant else "btn-danger",
            "back_url": reverse("reporting:extension-requests"),
        },
    )


@role_required(EVALUATOR, ADMIN)
@require_POST
def extension_decide(request, pk):
    extension_request = get_object_or_404(ExtensionRequest.objects.visible_to(request.user), pk=pk)
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        grant = form.cleaned_data["decision"] == "grant"
        if request.POST.get("confirmed") != "1":
            return _confirm_extension_decision(request, extension_request, form, grant)
        try:
            decide_extension(
                extension_request,
                grant=grant,
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ReportingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Perpanjangan dikabulkan.") if grant else _("Permintaan perpanjangan ditolak."),
            )
    else:
        messages.error(request, _("Keputusan tidak lengkap."))
    return redirect("reporting:extension-requests")
