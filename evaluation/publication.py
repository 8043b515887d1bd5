"""Publishing results: an admin's audited decision, withdrawable with a reason. Only the
figures of an active publication are public (DESIGN section 12)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.cached import bump_after_commit
from accounts.days import ministry_today
from accounts.models import AuditAction
from accounts.services import audit
from reporting.models import Period

from .models import Publication, Score

# Moved after every publication and withdrawal: public pages and open data carry it.
VERSION_KEY = "publications-version"


def unfinished(cycle, period=None, today=None):
    """Why these results are not final yet (empty when they are): a period still open, or a
    submitted report not yet verified (a provisional score)."""
    today = today or ministry_today()
    periods = [period] if period is not None else list(cycle.periods.all())
    reasons = []
    if not periods:
        reasons.append(_("Siklus ini belum memiliki periode."))
    for each in periods:
        if each.closes_on >= today:
            reasons.append(
                _("Periode %(period)s belum ditutup (ditutup %(date)s).")
                % {"period": each.name, "date": each.closes_on.strftime("%d-%m-%Y")}
            )
    provisional = Score.objects.filter(period__in=periods, provisional=True).count()
    if provisional:
        reasons.append(
            ngettext(
                "%(count)d laporan yang sudah dikirim belum diverifikasi.",
                "%(count)d laporan yang sudah dikirim belum diverifikasi.",
                provisional,
            )
            % {"count": provisional}
        )
    return reasons


def active_publication(cycle, period=None):
    return Publication.objects.active().filter(cycle=cycle, period=period).first()


@transaction.atomic
def publish(cycle, *, by, period=None, now=None):
    """Make the final results of ``cycle`` (or of one ``period``) public. Publishing what is
    already public changes nothing; results that are not final are refused (ValidationError
    with the reasons)."""
    if period is not None and period.cycle_id != cycle.pk:
        raise ValidationError(_("Periode itu bukan bagian dari siklus ini."))
    existing = active_publication(cycle, period)
    if existing is not None:
        return existing
    reasons = unfinished(cycle, period)
    if reasons:
        raise ValidationError(reasons)
    publication = Publication.objects.create(
        cycle=cycle, period=period, published_at=now or timezone.now(), published_by=by
    )
    audit(
        AuditAction.RESULTS_PUBLISHED,
        publication,
        by=by,
        details={"cycle": cycle.year, "period": period.code if period else None},
    )
    bump_after_commit(VERSION_KEY)
    return publication


@transaction.atomic
def withdraw(publication, *, by, reason, now=None):
    """Take results off the public pages again; the reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Tuliskan alasan penarikan."))
    changed = Publication.objects.filter(pk=publication.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now or timezone.now(), withdrawn_by=by, withdrawal_reason=reason
    )
    if changed:
        audit(
            AuditAction.RESULTS_WITHDRAWN,
            publication,
            by=by,
            details={"reason": reason},
        )
        bump_after_commit(VERSION_KEY)
    return bool(changed)


def published_cycle_ids():
    """Cycles whose whole results are public."""
    return set(
        Publication.objects.active().filter(period__isnull=True).values_list("cycle_id", flat=True)
    )


def published_period_ids():
    """Periods whose results are public: published on their own or with their cycle."""
    own = Publication.objects.active().filter(period__isnull=False).values_list("period_id")
    whole = Publication.objects.active().filter(period__isnull=True).values_list("cycle_id")
    return set(
        Period.objects.filter(Q(pk__in=own) | Q(cycle_id__in=whole)).values_list("pk", flat=True)
    )
