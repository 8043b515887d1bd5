"""Awards and piagam: proposals, issuing batches, downloads, revocation, public verification.

Who may do what:

- the awards page and batch pages: admins for every scope; an evaluator reads its own Kanwil's
  (proposals, batches, certificates and their PDFs) but issues nothing. A Kanwil piagam carries
  the Kanwil head's name and signature and the ministry issues them; a verifier who also
  judged the reports should not be the one who turns them into numbered certificates.
- issuing, retrying failed renderings and revoking: admins only.
- a PDF: admins; the issuing Kanwil's evaluators (not for national piagam); the recipient
  region's officers. Only an issued piagam, except that admins may still fetch a revoked one
  for the record. Everyone else gets 404, as for a piagam that does not exist.
- verification (by token or number) and the file check: anyone, without logging in.
"""

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Max, Q, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import storage
from accounts.access import ADMIN, EVALUATOR, OFFICER, role_required
from accounts.days import ministry_today, ministry_zone
from accounts.models import Kanwil
from accounts.templatetags.moments import format_day
from evaluation import caches
from evaluation.rankings import closed_periods, cycle_ranking
from reporting.cycles import CYCLE_PARAM, choose_cycle, cycles_with_periods
from reporting.services import ReportingError
from reporting.uploads import (
    EvidenceFileField,
    declared_body_too_large,
    format_size,
    limit_evidence_uploads,
    mark_oversize_uploads,
    max_body_bytes,
    parses_own_uploads,
)

from . import verification
from .awards import eligibility, proposals_among
from .changes import piagam_version
from .models import AwardCategory, Certificate, CertificateBatch, CertificateStatus
from .services import issue_batch, issuer_code, retry_failed, revoke
from .wording import certificate_sentence

logger = logging.getLogger(__name__)

NATIONAL_PLACE = "Jakarta"
CANDIDATE_ROWS = 10  # the top of the ranking shown under the proposals, with eligibility notes
WAITING = (CertificateStatus.PENDING, CertificateStatus.RENDERING)


# --- what pages show of certificates ----------------------------------------------------------


@dataclass
class Counts:
    """A batch's progress."""

    total: int = 0
    issued: int = 0
    failed: int = 0
    waiting: int = 0
    revoked: int = 0

    @classmethod
    def of(cls, certificates):
        by_status = Counter(certificate.status for certificate in certificates)
        return cls(
            total=len(certificates),
            issued=by_status[CertificateStatus.ISSUED],
            failed=by_status[CertificateStatus.FAILED],
            waiting=sum(by_status[status] for status in WAITING),
            revoked=by_status[CertificateStatus.REVOKED],
        )

    @property
    def finished(self):
        return self.waiting == 0

    @property
    def percent_done(self):
        if not self.total:
            return 100
        return round(100 * (self.total - self.waiting) / self.total)

    def as_dict(self):
        return {
            "total": self.total,
            "issued": self.issued,
            "failed": self.failed,
            "waiting": self.waiting,
            "revoked": self.revoked,
            "percent_done": self.percent_done,
        }


def category_labels(codes):
    """Award categories in the reader's language; the piagam itself prints them in
    Indonesian (piagam.wording)."""
    return [AwardCategory(code).label for code in codes]


def _local(moment):
    return timezone.localtime(moment, ministry_zone()) if moment else None


STATUS_BADGES = {
    CertificateStatus.PENDING: "text-bg-secondary",
    CertificateStatus.RENDERING: "text-bg-info",
    CertificateStatus.ISSUED: "text-bg-success",
    CertificateStatus.FAILED: "text-bg-danger",
    CertificateStatus.REVOKED: "text-bg-dark",
}


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s'\"/:]+/)*[^\s'\"/:]*")


def shown_error(certificate):
    """A failed rendering's reason as admins see it: without the server's absolute paths
    (each becomes its last part) and without the verification token."""
    text = certificate.error or ""
    if certificate.token:
        text = text.replace(certificate.token, "…")
    return _ABSOLUTE_PATH.sub(
        lambda match: "…/" + match.group(0).rstrip("/").rsplit("/", 1)[-1], text
    )


def _certificate_rows(certificates):
    return [
        {
            "certificate": certificate,
            "words": category_labels(certificate.categories),
            "badge": STATUS_BADGES[certificate.status],
            "revoked_at": _local(certificate.revoked_at),
            "error": shown_error(certificate),
        }
        for certificate in certificates
    ]


def _shown_statuses_for_download(user):
    """The statuses in which the batch page offers the download link (the JS uses it too)."""
    if user.is_portal_admin:
        return [CertificateStatus.ISSUED.value, CertificateStatus.REVOKED.value]
    return [CertificateStatus.ISSUED.value]


# --- the awards page --------------------------------------------------------------------------


def _choose_scope(user, kanwils, code):
    """The Kanwil asked for, or None for national; out of the user's scope is 404."""
    if code:
        kanwil = next((k for k in kanwils if k.code == code), None)
        if kanwil is None:
            raise Http404
        return kanwil
    if user.is_portal_admin:
        return None
    kanwil = next((k for k in kanwils if k.pk == user.kanwil_id), None)
    if kanwil is None:
        raise Http404
    return kanwil


def _scope_today(kanwil):
    """Today where the piagam is signed: the Kanwil's seat (its first province), or Jakarta."""
    if kanwil is not None:
        link = kanwil.provinces.select_related("province").first()
        if link is not None:
            return link.province.today()
    return ministry_today()


def offset_text(seconds):
    """A mean first submission relative to the deadline, as the page says it."""
    if seconds is None:
        return "–"
    hours = round(abs(seconds) / 3600)
    days, hours = divmod(hours, 24)
    if days and hours:
        amount = _("%(days)s hari %(hours)s jam") % {"days": days, "hours": hours}
    elif days:
        amount = _("%(days)s hari") % {"days": days}
    elif hours:
        amount = _("%(hours)s jam") % {"hours": hours}
    else:
        return _("tepat pada batas")
    if seconds < 0:
        return _("%(amount)s sebelum batas") % {"amount": amount}
    return _("%(amount)s setelah batas") % {"amount": amount}


@dataclass
class Candidate:
    """A ranking row with why it may or may not receive an award."""

    row: object
    verified: int
    notes: list = field(default_factory=list)
    categories: list = field(default_factory=list)  # words, when the row is a proposal

    @property
    def eligible(self):
        return not self.notes

    @property
    def offset(self):
        return offset_text(self.row.mean_offset_seconds)


@dataclass
class ProposalLine:
    """One proposed piagam and the standing one the region already holds, if any."""

    candidate: Candidate
    categories: list  # category codes, in the piagam's order
    standing: Certificate | None

    @property
    def words(self):
        return category_labels(self.categories)


@dataclass
class AwardFigures:
    """What the awards page shows of a scope's ranking: computed once per score version."""

    proposals: list  # awards.Proposal
    top: list  # Candidate: the top of the ranking, with eligibility notes
    by_region: dict  # region id -> Candidate, for the top and the proposals
    ranked: int


def _award_figures(cycle, kanwil, today):
    """One ranking and one eligibility query for the proposals and the candidates shown;
    the notes in words only for the rows the page shows."""
    rows = cycle_ranking(cycle, kanwil, today=today)
    items = eligibility(rows, cycle, today)
    proposals = proposals_among(items)
    proposed = {proposal.region.pk for proposal in proposals}
    by_region = {
        item.row.region.pk: Candidate(row=item.row, verified=item.verified, notes=item.notes())
        for index, item in enumerate(items)
        if index < CANDIDATE_ROWS or item.row.region.pk in proposed
    }
    top = [by_region[item.row.region.pk] for item in items[:CANDIDATE_ROWS]]
    return AwardFigures(proposals=proposals, top=top, by_region=by_region, ranked=len(rows))


def award_figures(cycle, kanwil, today, closed):
    """``_award_figures`` cached per score version and language (``closed``: the cycle's
    closed periods today); the worker builds them after a recomputation (piagam.rebuild)."""
    return caches.cached_figures(
        caches.figures_key(
            "awards",
            cycle.pk,
            kanwil.pk if kanwil is not None else "nasional",
            [p.pk for p in closed],
            get_language(),
        ),
        lambda: _award_figures(cycle, kanwil, today),
    )


def lines_and_candidates(cycle, kanwil, figures):
    """The proposals with the piagam each region already holds in the scope, and the
    candidates shown (the top of the ranking, then the proposals further down)."""
    standing = {
        certificate.region_id: certificate
        for certificate in Certificate.objects.filter(cycle=cycle, issuer_code=issuer_code(kanwil))
        .exclude(status=CertificateStatus.REVOKED)
        .select_related("batch")
    }
    lines = []
    for proposal in figures.proposals:
        candidate = figures.by_region.get(proposal.region.pk) or Candidate(
            row=proposal.row, verified=0
        )
        candidate.categories = category_labels(proposal.categories)
        lines.append(
            ProposalLine(
                candidate=candidate,
                categories=list(proposal.categories),
                standing=standing.get(proposal.region.pk),
            )
        )
    shown = list(figures.top)
    shown_ids = {id(candidate) for candidate in shown}
    shown += [line.candidate for line in lines if id(line.candidate) not in shown_ids]
    return lines, shown


def award_tables(cycle, kanwil, today, closed, *, figures=None):
    """The proposals' and the candidates' tables, rendered, with what the page says of them
    (the proposals' fingerprint, whether there are any, how many are still to issue).

    With a shared cache and no ``figures`` given, kept once per score version, piagam
    version and language for everyone who sees the scope (they show nothing of the viewer),
    so that a page's first rendering reads one entry and renders only the page around it; the
    worker's rebuild fills it ahead (piagam.rebuild). ``figures`` (fresh ones, for issuing)
    are rendered as they are, never kept."""

    def build():
        found = figures or award_figures(cycle, kanwil, today, closed)
        lines, shown = lines_and_candidates(cycle, kanwil, found)
        context = {"lines": lines, "candidates": shown, "ranked": found.ranked}
        return {
            "proposals": render_to_string("piagam/_award_proposals.html", context),
            "candidates": render_to_string("piagam/_award_candidates.html", context),
            "fingerprint": proposal_fingerprint(found.proposals),
            "has_lines": bool(lines),
            "to_issue": sum(1 for line in lines if line.standing is None),
        }

    # Without a shared cache the piagam version is not seen across processes (piagam.changes).
    if figures is not None or not settings.CACHE_URL:
        return build()
    key = caches.figures_key(
        "awards-html",
        cycle.pk,
        kanwil.pk if kanwil is not None else "nasional",
        [p.pk for p in closed],
        get_language(),
        piagam_version(),
    )
    return caches.cached_figures(key, build)


def proposal_fingerprint(proposals):
    """What the page proposed; issuing refuses if the proposals changed since it was shown."""
    return ";".join(
        f"{p.region.code}:{'+'.join(str(c) for c in p.categories)}:{p.row.final}" for p in proposals
    )


class IssueForm(forms.Form):
    place = forms.CharField(label=gettext_lazy("Tempat"), max_length=100)
    issued_on = forms.DateField(
        label=gettext_lazy("Tanggal"), widget=forms.DateInput(attrs={"type": "date"})
    )
    proposals = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_place(self):
        return " ".join(self.cleaned_data["place"].split())


def _awards_url(cycle, kanwil):
    params = {}
    if cycle is not None:
        params[CYCLE_PARAM] = cycle.year
    if kanwil is not None:
        params["kanwil"] = kanwil.code
    return reverse("piagam:awards") + ("?" + urlencode(params) if params else "")


INDONESIAN_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def _awards_page_state(request):
    """What the shared awards page shows besides the rankings (see caches.shared_page_key): every
    piagam's and batch's progress and the date in each Indonesian time zone (the issuing
    form's default date is the Kanwil seat's).

    The progress is the piagam version with a shared cache (piagam.changes); without one (a
    per-process cache does not see the workers' writes) it is read from the piagam rows.
    """
    now = timezone.now()
    days = tuple(now.astimezone(ZoneInfo(zone)).date().isoformat() for zone in INDONESIAN_ZONES)
    if settings.CACHE_URL:
        return (piagam_version(), days)
    state = Certificate.objects.order_by().aggregate(
        count=Count("pk"),
        batches=Count("batch", distinct=True),
        claimed=Max("claimed_at"),
        rendered=Max("rendered_at"),
        revoked=Max("revoked_at"),
        attempts=Sum("attempts"),
        review=Count("pk", filter=Q(needs_review=True)),
        signed=Count("pk", filter=Q(signed=True)),
        **{
            f"status_{status}": Count("pk", filter=Q(status=status))
            for status in CertificateStatus.values
        },
    )
    empty_batches = CertificateBatch.objects.filter(certificates__isnull=True).count()
    return (tuple(sorted(state.items())), empty_batches, days)


@role_required(ADMIN, EVALUATOR)
@require_http_methods(["GET", "POST"])
@caches.shared_page("awards-page", extra=_awards_page_state)
def awards(request):
    """A cycle's proposed awards in one scope, the figures behind them, and its batches."""
    user = request.user
    today = ministry_today()
    cycles = cycles_with_periods()
    cycle = choose_cycle(request, cycles, today=today)
    kanwils = list(Kanwil.objects.visible_to(user))
    kanwil = _choose_scope(user, kanwils, request.GET.get("kanwil"))
    can_issue = user.is_portal_admin
    if request.method == "POST" and not can_issue:
        raise PermissionDenied
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "kanwils": kanwils,
        "kanwil": kanwil,
        "national_allowed": user.is_portal_admin,
        "can_issue": can_issue,
        "self_url": _awards_url(cycle, kanwil),
    }
    if cycle is None:
        return render(request, "piagam/awards.html", context)

    periods = list(cycle.periods.all())
    closed = closed_periods(cycle, today)
    cycle_finished = bool(periods) and len(closed) == len(periods)
    if request.method == "POST":
        # Issuing compares with the ranking of the current scores, not with a cached page.
        figures = _award_figures(cycle, kanwil, today)
        fingerprint = proposal_fingerprint(figures.proposals)
        form = IssueForm(request.POST)
        if form.is_valid():
            return _issue(
                request, cycle, kanwil, form, figures.proposals, fingerprint, cycle_finished
            )
        tables = award_tables(cycle, kanwil, today, closed, figures=figures)
    else:
        tables = award_tables(cycle, kanwil, today, closed)
        form = IssueForm(
            initial={
                "place": kanwil.city if kanwil is not None else NATIONAL_PLACE,
                "issued_on": _scope_today(kanwil),
                "proposals": tables["fingerprint"],
            }
        )

    batches = list(
        CertificateBatch.objects.filter(cycle=cycle, kanwil=kanwil)
        .select_related("created_by")
        .prefetch_related("certificates")
    )
    context.update(
        {
            "periods": periods,
            "closed": closed,
            "cycle_finished": cycle_finished,
            "to_issue": tables["to_issue"],
            "tables": tables,
            "batches": [
                {
                    "batch": batch,
                    "counts": Counts.of(list(batch.certificates.all())),
                    "created_at": _local(batch.created_at),
                    "rows": _certificate_rows(batch.certificates.all()),
                }
                for batch in batches
            ],
            "form": form,
            "issue_consequences": issue_consequences(tables["to_issue"], kanwil),
            "rankings_url": reverse("evaluation:rankings")
            + "?"
            + urlencode({"siklus": cycle.year, **({"kanwil": kanwil.code} if kanwil else {})}),
        }
    )
    return render(request, "piagam/awards.html", context)


def issue_consequences(count, kanwil):
    """What issuing does, said before the admin confirms (dialog and page)."""
    scope = kanwil.name if kanwil is not None else _("Nasional (Kementerian HAM)")
    return [
        ngettext(
            "%(count)s piagam baru untuk cakupan %(scope)s diberi nomor; nomor tidak pernah "
            "dipakai ulang.",
            "%(count)s piagam baru untuk cakupan %(scope)s diberi nomor; nomor tidak pernah "
            "dipakai ulang.",
            count,
        )
        % {"count": count, "scope": scope},
        _("PDF piagam dibuat oleh sistem dan dapat diperiksa keasliannya oleh publik."),
        _(
            "Penerbitan tidak dapat dibatalkan: piagam yang keliru hanya dapat dicabut satu per "
            "satu dengan alasan, dan nomornya tetap tercatat."
        ),
    ]


def _confirm_issue(request, cycle, kanwil, form, proposals):
    """The no-JavaScript second look before numbers are given out."""
    held = set(
        Certificate.objects.filter(cycle=cycle, issuer_code=issuer_code(kanwil))
        .exclude(status=CertificateStatus.REVOKED)
        .values_list("region_id", flat=True)
    )
    new = [proposal for proposal in proposals if proposal.region.pk not in held]
    return render(
        request,
        "confirm.html",
        {
            "heading": _("Terbitkan piagam?"),
            "lead": f"{form.cleaned_data['place']}, {format_day(form.cleaned_data['issued_on'])}",
            "consequences": issue_consequences(len(new), kanwil),
            "details_heading": _("Penerima"),
            "details": [
                f"{proposal.region.name}: "
                + ", ".join(str(AwardCategory(code).label) for code in proposal.categories)
                for proposal in new
            ],
            "action": request.get_full_path(),
            "fields": [
                ("place", form.cleaned_data["place"]),
                ("issued_on", form.cleaned_data["issued_on"].isoformat()),
                ("proposals", form.cleaned_data["proposals"]),
            ],
            "confirm_label": _("Ya, terbitkan"),
            "confirm_class": "btn-success",
            "back_url": _awards_url(cycle, kanwil),
        },
    )


def _issue(request, cycle, kanwil, form, proposals, fingerprint, cycle_finished):
    back = _awards_url(cycle, kanwil)
    if not cycle_finished:
        # Numbers are never reused: a piagam issued on half a year's figures cannot be undone.
        messages.error(
            request,
            _("Piagam baru dapat diterbitkan setelah semua periode siklus %(year)s ditutup.")
            % {"year": cycle.year},
        )
        return redirect(back)
    if not fingerprint:
        messages.error(request, _("Tidak ada usulan penghargaan untuk diterbitkan."))
        return redirect(back)
    if form.cleaned_data["proposals"] != fingerprint:
        messages.error(
            request,
            _(
                "Usulan penghargaan berubah sejak halaman ini dibuka. Periksa usulan terbaru, "
                "lalu terbitkan lagi."
            ),
        )
        return redirect(back)
    if "confirmed" not in request.POST:
        return _confirm_issue(request, cycle, kanwil, form, proposals)
    try:
        batch = issue_batch(
            cycle,
            kanwil,
            by=request.user,
            place=form.cleaned_data["place"],
            issued_on=form.cleaned_data["issued_on"],
        )
    except IntegrityError:
        # Two submissions at the same moment: the database's one-standing-piagam rule let
        # only the first one through.
        messages.warning(
            request,
            _("Piagam ini sedang atau sudah diterbitkan oleh permintaan lain; lihat penerbitan."),
        )
        return redirect(back)
    created = batch.certificates.count()
    if created:
        messages.success(
            request,
            _("%(count)s piagam diberi nomor dan sedang dibuat.") % {"count": created},
        )
    else:
        messages.warning(
            request,
            _(
                "Tidak ada piagam baru: setiap daerah yang diusulkan sudah memegang piagam yang "
                "berlaku untuk siklus dan cakupan ini."
            ),
        )
    return redirect("piagam:batch", pk=batch.pk)


# --- batches ----------------------------------------------------------------------------------


@role_required(ADMIN, EVALUATOR)
def batch_detail(request, pk):
    """A batch's certificates and progress; the page polls batch-status while any wait."""
    user = request.user
    batch = get_object_or_404(
        CertificateBatch.objects.visible_to(user).select_related("cycle", "kanwil", "created_by"),
        pk=pk,
    )
    certificates = list(batch.certificates.all())
    counts = Counts.of(certificates)
    held = []
    if not certificates:
        # An empty batch is a repeated issue: point at the piagam the regions already hold.
        held = list(
            Certificate.objects.filter(cycle=batch.cycle, issuer_code=issuer_code(batch.kanwil))
            .exclude(status=CertificateStatus.REVOKED)
            .select_related("batch")
        )
    return render(
        request,
        "piagam/batch.html",
        {
            "batch": batch,
            "created_at": _local(batch.created_at),
            "rows": _certificate_rows(certificates),
            "counts": counts,
            "held": held,
            "is_admin": user.is_portal_admin,
            "download_statuses": _shown_statuses_for_download(user),
            "badges": {str(status): badge for status, badge in STATUS_BADGES.items()},
            "awards_url": _awards_url(batch.cycle, batch.kanwil),
        },
    )


@never_cache
@role_required(ADMIN, EVALUATOR)
def batch_status(request, pk):
    """The batch's progress as JSON, for the page's polling script."""
    batch = get_object_or_404(CertificateBatch.objects.visible_to(request.user), pk=pk)
    certificates = list(
        batch.certificates.only("pk", "batch", "status", "needs_review", "review_reason")
    )
    counts = Counts.of(certificates)
    labels = dict(CertificateStatus.choices)
    return JsonResponse(
        {
            "batch": batch.pk,
            "finished": counts.finished,
            "counts": counts.as_dict(),
            "certificates": [
                {
                    "id": certificate.pk,
                    "status": certificate.status,
                    "status_label": str(labels[certificate.status]),
                    "needs_review": certificate.needs_review,
                    "review_reason": certificate.review_reason,
                }
                for certificate in certificates
            ],
        }
    )


@role_required(ADMIN)
@require_POST
def batch_retry(request, pk):
    """Queue the batch's failed renderings again (admins)."""
    batch = get_object_or_404(CertificateBatch.objects.visible_to(request.user), pk=pk)
    count = retry_failed(batch)
    if count:
        messages.success(
            request, _("%(count)s piagam yang gagal dimasukkan lagi ke antrean.") % {"count": count}
        )
    else:
        messages.info(request, _("Tidak ada piagam yang gagal pada penerbitan ini."))
    return redirect("piagam:batch", pk=batch.pk)


# --- one certificate --------------------------------------------------------------------------


def download_name(certificate):
    """'001/PIAGAM-HAM/KALTIM/2025' -> 'piagam-001-PIAGAM-HAM-KALTIM-2025.pdf'."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", certificate.number).strip("-") or str(certificate.pk)
    prefix = "DICABUT-" if certificate.status == CertificateStatus.REVOKED else ""
    return f"{prefix}piagam-{stem}.pdf"


@role_required(ADMIN, EVALUATOR, OFFICER)
def certificate_pdf(request, pk):
    certificate = get_object_or_404(Certificate.objects.downloadable_by(request.user), pk=pk)
    try:
        return storage.download(
            certificate.pdf.name,
            filename=download_name(certificate),
            content_type="application/pdf",
            as_attachment=True,
        )
    except Http404:
        logger.error("piagam %s: PDF %s is missing", certificate.number, certificate.pdf.name)
        raise


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Alasan pencabutan"), max_length=2000, widget=forms.Textarea
    )


@role_required(ADMIN)
@require_POST
def certificate_revoke(request, pk):
    """Revoke a piagam (admins only)."""
    certificate = get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)
    form = RevokeForm(request.POST)
    back = reverse("piagam:batch", args=[certificate.batch_id]) + f"#piagam-{certificate.pk}"
    if not form.is_valid():
        messages.error(request, _("Alasan pencabutan wajib diisi."))
        return redirect(back)
    try:
        revoke(certificate, by=request.user, reason=form.cleaned_data["reason"])
    except ReportingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Piagam %(number)s dicabut.") % {"number": certificate.number})
    return redirect(back)


# --- public verification ----------------------------------------------------------------------


class PiagamFileField(EvidenceFileField):
    """The evidence upload checks (content sniffed and parsed, size counted), PDF only. The
    file is only compared, never kept: a link out is no reason to refuse it (a piagam links
    its own verification page); active content still is."""

    outward_links_allowed = True

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["accept"] = "application/pdf,.pdf"
        return attrs

    def clean(self, data, initial=None):
        not_pdf = ValidationError(
            gettext_lazy("Hanya berkas PDF yang dapat diperiksa."), code="piagam_not_pdf"
        )
        try:
            uploaded = super().clean(data, initial)
        except ValidationError as error:
            # The evidence message would offer images too, which this check does not take.
            if any(item.code == "evidence_type" for item in error.error_list):
                raise not_pdf from error
            raise
        if uploaded is not None and uploaded.inspected.content_type != "application/pdf":
            raise not_pdf
        return uploaded


class FileCheckForm(forms.Form):
    file = PiagamFileField(label=gettext_lazy("Berkas PDF piagam"))


def _throttled(request, throttle):
    wait = throttle.hit(request)
    if wait is None:
        return None
    response = render(
        request,
        "piagam/verify_lookup.html",
        {
            "throttled": verification.THROTTLED_MESSAGE % {"seconds": wait},
            "number": "",
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _not_found(request, number=""):
    return render(
        request,
        "piagam/verify_lookup.html",
        {"not_found": True, "number": number},
        status=404,
    )


def _verification_page(request, certificate):
    status = verification.public_status(certificate)
    comparable = bool(certificate.sha256) and status != verification.PublicStatus.PROCESSING
    form = FileCheckForm()
    check = None
    if request.method == "POST" and comparable:
        form = FileCheckForm(request.POST, request.FILES)
        mark_oversize_uploads(form, request)
        if form.is_valid():
            check = verification.check_file(certificate, form.cleaned_data["file"])
    return render(
        request,
        "piagam/verify.html",
        {
            "certificate": certificate,
            "status": status,
            "sentence": certificate_sentence(certificate),
            "revoked_at": _local(certificate.revoked_at),
            "comparable": comparable,
            "form": form,
            "check": check,
            "signing_configured": bool(settings.PIAGAM_SIGNING_PKCS12),
        },
    )


# The public check compares one PDF: a body of one evidence file (and a CSRF token).
PUBLIC_CHECK_FILES = 1


def _body_too_large(request):
    """A 413 page for a body bigger than one evidence file, answered before it is read."""
    if request.method != "POST" or not declared_body_too_large(request, PUBLIC_CHECK_FILES):
        return None
    response = render(
        request,
        "piagam/verify_too_large.html",
        {"limit": format_size(max_body_bytes(PUBLIC_CHECK_FILES))},
        status=413,
    )
    response["Connection"] = "close"
    return response


@limit_evidence_uploads(max_files=PUBLIC_CHECK_FILES)
def _verify(request, token):
    certificate = verification.find_by_token(token)
    if certificate is None:
        return _not_found(request)
    return _verification_page(request, certificate)


@limit_evidence_uploads(max_files=PUBLIC_CHECK_FILES)
def _lookup(request, number):
    certificate = verification.find_by_number(number)
    if certificate is None:
        return _not_found(request, number)
    return _verification_page(request, certificate)


# csrf_exempt only postpones the check: limit_evidence_uploads must install its size limit
# before the body is read, and then runs the CSRF check itself.
@parses_own_uploads
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token):
    """The page a piagam's QR code opens."""
    if refusal := _body_too_large(request):
        return refusal
    if request.method == "POST" and (
        refusal := _throttled(request, verification.upload_throttle())
    ):
        return refusal
    return _verify(request, token)


@parses_own_uploads
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def verify_lookup(request):
    """Check a piagam by its number; throttled per client address (numbers are sequential)."""
    # The number travels in the query string, for the upload form too, so that a refused
    # request is answered before its body is read.
    if refusal := _body_too_large(request):
        return refusal
    number = request.GET.get("nomor", "").strip()
    if not number:
        if request.method == "POST":
            return redirect("piagam:lookup")
        return render(request, "piagam/verify_lookup.html", {"number": ""})
    if refusal := _throttled(request, verification.lookup_throttle()):
        return refusal
    if request.method == "POST" and (
        refusal := _throttled(request, verification.upload_throttle())
    ):
        return refusal
    return _lookup(request, number)
