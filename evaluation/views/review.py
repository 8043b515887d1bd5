"""The evaluator's work: the queue, the review screen, reopening, and the score explained."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import ADMIN, EVALUATOR, OFFICER, role_required
from accounts.days import user_today
from accounts.holidays import holiday_names
from accounts.models import Region
from reporting.cycles import choose_cycle, cycles_with_periods, period_or_404
from reporting.models import Period, RejectionReason, Report, ReportStatus
from reporting.presenters import round_changes
from reporting.services import ReportingError

from .. import caches, presence
from ..models import Decision, ReviewOutcome
from ..queues import (
    period_counts,
    queue_page,
    regions_in_scope,
    review_wait_days,
    waiting_reports,
)
from ..review_screen import (
    carried_ids,
    evidence_files,
    latest_decisions,
    mark_duplicates,
    past_decisions,
    review_blocks,
)
from ..scorecards import explain
from ..services import (
    IncompleteReview,
    ItemChoice,
    decide,
    plan_review,
    reopen,
)
from ..signals import reminder_requested
from .options import option_tags


@role_required(EVALUATOR, ADMIN)
def queue(request):
    """Reports of the evaluator's regions, oldest waiting first, with counts per period.

    POST ``ingatkan`` (a period) reminds every region of it that has not submitted, after the
    GET ``?ingatkan=`` confirmation has shown who will receive it.
    """
    user = request.user
    regions = regions_in_scope(user)
    if request.method == "POST":
        return _send_reminders(request, user, regions)
    cycles = cycles_with_periods()
    cycle = choose_cycle(request, cycles, today=user_today(user))
    periods = list(cycle.periods.all()) if cycle else []
    period = next((p for p in periods if str(p.pk) == request.GET.get("periode")), None)
    status = request.GET.get("status", ReportStatus.SUBMITTED)
    if status not in ReportStatus.values and status != "semua":
        status = ReportStatus.SUBMITTED
    region_list = list(regions.only("code", "name"))
    region = None
    if request.GET.get("daerah"):
        region = next((r for r in region_list if r.code == request.GET["daerah"]), None)
    reports = waiting_reports(
        user,
        period=period,
        status=None if status == "semua" else status,
        region=region,
        scope=[r.pk for r in region_list],
    )
    if cycle is not None:
        reports = reports.filter(period__cycle=cycle)
    page = queue_page(reports, request.GET.get("halaman"))
    others = presence.open_by_others(page.object_list, user)
    _mark_waiting(page.object_list, others)
    remind_period = next((p for p in periods if str(p.pk) == request.GET.get("ingatkan")), None)
    return render(
        request,
        "evaluation/queue.html",
        {
            "kanwil": user.kanwil,
            "cycles": cycles,
            "cycle": cycle,
            "periods": periods,
            "period": period,
            "status": status,
            "statuses": ReportStatus.choices,
            "region": region,
            "region_options": option_tags(
                [(r.code, r.name) for r in region_list], region.code if region else None
            ),
            "page": page,
            "counts": period_counts(cycle, regions, scope=caches.scope(user)) if cycle else [],
            "remind_period": remind_period,
            "remind_plan": _reminder_plan(remind_period, regions, user) if remind_period else None,
        },
    )


def _mark_waiting(reports, others):
    """Each submitted report's wait in working days, whether it is past the service level,
    and who else has it open."""
    holidays = None
    for report in reports:
        report.waiting_days = None
        report.opened_by_other = others.get(report.pk)
        if report.status == ReportStatus.SUBMITTED and report.last_submitted_at:
            if holidays is None:
                holidays = frozenset(holiday_names())
            report.waiting_days = review_wait_days(report, report.region.today(), holidays)
            report.past_sla = report.waiting_days > report.period.cycle.review_sla_days


def _not_submitted(period, regions):
    """The regions of the scope that must report the period and have not sent it yet."""
    sent = Report.objects.filter(period=period, first_submitted_at__isnull=False).values(
        "region_id"
    )
    return list(
        regions.filter(assignments__action__measures__period=period)
        .exclude(pk__in=sent)
        .distinct()
        .order_by("code")
    )


def _reminder_plan(period, regions, user, *, dry_run=True):
    """Who would hear of a reminder (or, not a dry run, who did): the listeners answer."""
    targets = _not_submitted(period, regions)
    answers = reminder_requested.send(
        sender=Report, period=period, regions=targets, by=user, dry_run=dry_run
    )
    plans = [plan for _receiver, plan in answers if plan is not None]
    return (
        plans[0]
        if plans
        else [{"region": r, "recipients": [], "already_today": False} for r in targets]
    )


def _send_reminders(request, user, regions):
    period = get_object_or_404(
        Period.objects.select_related("cycle"), pk=request.POST.get("ingatkan")
    )
    plan = _reminder_plan(period, regions, user, dry_run=False)
    for level, text in reminder_outcome(period, plan):
        messages.add_message(request, level, text)
    return redirect(f"{reverse('evaluation:queue')}?siklus={period.cycle.year}")


UNREACHED_REASONS = {
    "off": gettext_lazy("pengingat dimatikan di pilihan pemberitahuannya"),
    "already_today": gettext_lazy("sudah diingatkan hari ini"),
    "no_contact": gettext_lazy("hanya lewat lonceng portal: belum ada e-mail atau nomor"),
    "no_officer": gettext_lazy("belum ada petugas"),
}


def reminder_outcome(period, plan):
    """What the reminder did, in words: how many were reached and by which channel, and who
    could not be reached and why (the plan comes from the notifications app's listener)."""
    reached = [entry for row in plan for entry in row.get("reached", ())]
    if row_count := len({row["region"].pk for row in plan if row.get("reached")}):
        count = {
            channel: sum(channel in entry["channels"] for entry in reached)
            for channel in ("portal", "email", "digest", "gateway")
        }
        outcome = [
            (
                messages.SUCCESS,
                _(
                    "Pengingat %(period)s sampai ke %(people)s petugas di %(regions)s daerah: "
                    "lonceng portal %(portal)s, e-mail sekarang %(email)s, e-mail ringkasan "
                    "pukul 08.00 waktu setempat %(digest)s, SMS/WhatsApp %(gateway)s."
                )
                % {"period": period, "people": len(reached), "regions": row_count, **count},
            )
        ]
    else:
        outcome = [
            (
                messages.WARNING,
                _("Pengingat %(period)s tidak terkirim ke siapa pun.") % {"period": period},
            )
        ]
    missed = [
        _("%(who)s: %(why)s")
        % {
            "who": (
                f"{entry['user'].shown_name} ({row['region'].name})"
                if entry["user"] is not None
                else row["region"].name
            ),
            "why": UNREACHED_REASONS.get(entry["reason"], entry["reason"]),
        }
        for row in plan
        for entry in row.get("unreached", ())
    ]
    if missed:
        outcome.append(
            (messages.WARNING, _("Tidak terjangkau: %(list)s.") % {"list": "; ".join(missed)})
        )
    return outcome


def _choices_from_post(post, requirements):
    """Read one decision per known requirement; fields for any other id are never read."""
    choices = {}
    for requirement in requirements:
        decision = post.get(f"keputusan-{requirement.pk}")
        if decision not in Decision.values:
            continue
        choices[requirement.pk] = ItemChoice(
            decision=decision,
            reason=post.get(f"alasan-{requirement.pk}", "")
            if decision == Decision.REJECTED
            else "",
            note=post.get(f"catatan-{requirement.pk}", "").strip()[:2000],
        )
    return choices


@role_required(EVALUATOR, ADMIN)
def review(request, pk):
    """The review screen: every item with a preview and a decision, then return or verify."""
    user = request.user
    report = get_object_or_404(Report.objects.visible_to(user).select_related("region"), pk=pk)
    # From the cached cycles: joined here, the period and its cycle cost more to read than
    # the report and its region.
    report.period = period_or_404(report.period_id)
    blocks = review_blocks(report)
    requirements = [req for block in blocks for req in block.requirements]
    reviewable = report.status == ReportStatus.SUBMITTED
    posted = {}
    problems = {}
    if request.method == "POST":
        if not reviewable:
            messages.error(request, _("Laporan ini tidak sedang menunggu verifikasi."))
            return redirect("evaluation:review", pk=report.pk)
        posted = _choices_from_post(request.POST, requirements)
        outcome = ReviewOutcome.VERIFIED if "verifikasi" in request.POST else ReviewOutcome.RETURNED
        try:
            seen_round = int(request.POST.get("putaran", ""))
        except ValueError:
            seen_round = -1  # a forged round can only meet the "changed since" refusal
        note = request.POST.get("catatan", "").strip()[:5000]
        try:
            if "confirmed" not in request.POST:
                plan = plan_review(
                    report, round=seen_round, choices=posted, outcome=outcome, note=note
                )
                return _confirm_review(request, report, plan)
            decide(report, by=user, round=seen_round, choices=posted, outcome=outcome, note=note)
        except IncompleteReview as error:
            problems = error.problems
            messages.error(request, str(error))
        except ReportingError as error:
            messages.error(request, str(error))
        else:
            if outcome == ReviewOutcome.VERIFIED:
                messages.success(
                    request,
                    _("%(region)s diverifikasi; nilainya sudah dihitung.")
                    % {"region": report.region.name},
                )
            else:
                messages.success(
                    request,
                    _("%(region)s dikembalikan untuk perbaikan.") % {"region": report.region.name},
                )
            return redirect("evaluation:queue")
    # Versions are numbered 1, 2, ... as they are sent: the latest number is the round.
    changes = round_changes(report)
    round_number = changes.round
    others_open = None
    if reviewable:
        # A read: who is looking goes to the cache; the first decision records the review.
        others_open = presence.note_open(report, round=round_number, user=user)
    # A decided round returns or verifies the report, so a report waiting in its first round
    # has no decisions to read.
    first_wait = reviewable and round_number <= 1
    decided = [] if first_wait else past_decisions(report)
    previous = latest_decisions(decided)
    carried = carried_ids(decided, changes) if reviewable else frozenset()
    files = evidence_files(report, changes.new_evidence)
    mark_duplicates(report, files, viewer=user)
    entries = {entry.action_id: entry for entry in report.entries.order_by()}
    options = _reason_options()
    for block in blocks:
        block.entry = entries.get(block.action_id)
        for req in block.requirements:
            req.files = files.get(req.pk, [])
            req.previous = previous.get(req.pk)
            req.posted = posted.get(req.pk)
            req.carried = req.pk in carried
            req.changed = changes.previous is not None and req.pk in changes.changed
            req.problem = problems.get(req.pk)
            # Pre-selected: what was posted, else the decision carried from the last round.
            req.chosen = req.posted.decision if req.posted else ("accepted" if req.carried else "")
            if reviewable:
                req.reason_options = options(req.posted.reason if req.posted else None)
    return render(
        request,
        "evaluation/review.html",
        {
            "report": report,
            "blocks": blocks,
            "round": round_number,
            "previous_round": changes.previous,
            "reviewable": reviewable,
            "others_open": others_open,
            "verify_consequences": review_consequences(report, ReviewOutcome.VERIFIED),
            "return_consequences": review_consequences(report, ReviewOutcome.RETURNED),
            "reopen_consequences": reopen_consequences(report),
            "note": request.POST.get("catatan", "") if request.method == "POST" else "",
        },
    )


def _reason_options():
    """The rejection reasons' options for a selected reason, each selection built once per
    request rather than once per item."""
    built = {}

    def options(selected):
        if selected not in built:
            built[selected] = option_tags(RejectionReason.choices, selected)
        return built[selected]

    return options


def review_consequences(report, outcome):
    """What verifying or returning does, said before the evaluator confirms."""
    region = report.region.name
    if outcome == ReviewOutcome.VERIFIED:
        return [
            _("Laporan %(region)s %(period)s dikunci sebagai terverifikasi.")
            % {"region": region, "period": report.period},
            _("Nilainya dihitung dan tampil di peringkat; butir yang ditolak bernilai 0."),
            _("Laporan hanya dapat dibuka kembali dengan alasan tertulis yang dicatat."),
        ]
    return [
        _("Laporan dikembalikan ke %(region)s untuk diperbaiki.") % {"region": region},
        _("Daerah melihat butir yang ditolak beserta alasan dan catatan Anda."),
        _("Waktu tanggapan daerah dihitung dalam hari kerja sejak saat ini (nilai responsivitas)."),
    ]


def _confirm_review(request, report, plan):
    """The no-JavaScript second look, with every posted field to be sent again."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in request.POST.getlist(name)
    ]
    details = [
        _("%(item)s: ditolak (%(reason)s)%(note)s")
        % {
            "item": label,
            "reason": RejectionReason(choice.reason).label,
            "note": f" – {choice.note}" if choice.note else "",
        }
        for label, _req, choice in plan.rejected
    ]
    accepted = len(plan.items) - len(plan.rejected)
    details.insert(
        0,
        _(
            "%(accepted)s dari %(total)s butir diterima, %(carried)s di antaranya dari "
            "putaran sebelumnya."
        )
        % {"accepted": accepted, "total": len(plan.items), "carried": len(plan.carried)},
    )
    if plan.note:
        details.append(_("Catatan umum: %(note)s") % {"note": plan.note})
    verified = plan.outcome == ReviewOutcome.VERIFIED
    return render(
        request,
        "confirm.html",
        {
            "heading": _("Verifikasi laporan?") if verified else _("Kembalikan laporan?"),
            "lead": f"{report.region.name} · {report.period}",
            "consequences": review_consequences(report, plan.outcome),
            "details_heading": _("Keputusan Anda"),
            "details": details,
            "action": request.path,
            "fields": fields,
            "confirm_label": _("Ya, verifikasi") if verified else _("Ya, kembalikan"),
            "confirm_class": "btn-success" if verified else "btn-warning",
            "back_url": request.path,
            "back_label": _("Kembali ke pemeriksaan"),
        },
    )


def reopen_consequences(report):
    """What reopening a verified report does, said before it is done."""
    return [
        _("Laporan %(region)s %(period)s kembali ke daerah berstatus dikembalikan.")
        % {"region": report.region.name, "period": report.period},
        _("Nilai dan peringkat dihitung ulang; piagam yang memakai nilai ini ditandai."),
        _("Alasan dicatat di riwayat laporan."),
    ]


@role_required(EVALUATOR, ADMIN)
@require_POST
def reopen_view(request, pk):
    user = request.user
    report = get_object_or_404(Report.objects.visible_to(user), pk=pk)
    reason = request.POST.get("alasan", "").strip()[:5000]
    if reason and request.POST.get("confirmed") != "1":
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Buka kembali laporan yang sudah diverifikasi?"),
                "consequences": reopen_consequences(report),
                "details_heading": _("Alasan"),
                "details": [reason],
                "action": request.path,
                "fields": [("alasan", reason)],
                "confirm_label": _("Ya, buka kembali"),
                "confirm_class": "btn-danger",
                "back_url": reverse("evaluation:review", args=[report.pk]),
            },
        )
    try:
        reopen(report, by=user, reason=reason)
    except ReportingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Laporan dibuka kembali dan dikembalikan ke daerah; "
                "nilai dan peringkat dihitung ulang."
            ),
        )
    return redirect("evaluation:review", pk=report.pk)


@role_required(OFFICER, EVALUATOR, ADMIN)
def explain_score(request, region_pk, period_pk):
    """The score of a region in a period with every input and the arithmetic."""
    region = get_object_or_404(Region.objects.visible_to(request.user), pk=region_pk)
    period = period_or_404(period_pk)
    explanation = explain(region, period)
    if explanation is None:
        raise Http404
    result = explanation.result
    return render(
        request,
        "evaluation/explain.html",
        {
            "region": region,
            "period": period,
            "x": explanation,
            "result": result,
            "now": timezone.now(),
        },
    )
