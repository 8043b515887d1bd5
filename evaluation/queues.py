"""The evaluator's queue: which reports wait, and how each period of a cycle stands."""

from accounts.models import Region
from reporting.models import (
    Report,
    ReportStatus,
)

from .recaps import period_rates


def period_counts(cycle, regions):
    """The queue's DHIS2 figures per period over the evaluator's regions: the one rule of
    ``recaps`` (Decimal rates, half-up), so the queue, the overview and the exports agree."""
    return period_rates(cycle, regions=regions)


def waiting_reports(user, *, period=None, status=None, region=None):
    """Reports in the user's scope, those waiting longest first."""
    reports = Report.objects.visible_to(user).exclude(status=ReportStatus.DRAFT)
    if period is not None:
        reports = reports.filter(period=period)
    if status:
        reports = reports.filter(status=status)
    if region is not None:
        reports = reports.filter(region=region)
    return reports.select_related("region", "period__cycle").order_by("last_submitted_at", "pk")


def regions_in_scope(user):
    return Region.objects.visible_to(user)


def review_wait_days(report, today, holidays):
    """Working days a submitted report has waited for review, counted in the region's zone
    (the queue's figure and the service-level reminder's, one rule)."""
    from django.utils import timezone

    from .scoring import working_days_between

    sent_on = timezone.localtime(report.last_submitted_at, report.region.zone).date()
    return working_days_between(sent_on, today, holidays).count
