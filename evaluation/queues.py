"""The evaluator's queue: which reports wait, and how each period of a cycle stands."""

from django.core.paginator import Paginator

from accounts.models import Region
from reporting.models import (
    Report,
    ReportStatus,
)

from .recaps import period_rates


def period_counts(cycle, regions, *, scope=None):
    """The queue's DHIS2 figures per period over the evaluator's regions: the one rule of
    ``recaps`` (Decimal rates, half-up), so the queue, the overview and the exports agree.
    ``scope`` (``caches.scope`` of the user the regions are visible to) keys the cache."""
    return period_rates(cycle, regions=regions, scope=scope)


QUEUE_FIELDS = (
    "region__name",
    "region__time_zone",
    "period__name",
    "period__cycle__year",
    "period__cycle__review_sla_days",
    "status",
    "last_submitted_at",
)


def waiting_reports(user, *, period=None, status=None, region=None, scope=None):
    """Reports in the user's scope, those waiting longest first.

    ``scope``, when the caller has already read them, is the ids of the regions visible to
    the user (``regions_in_scope``): the reports are those of ``Report.objects.visible_to``,
    selected without planning the scope's joins a second time."""
    if scope is None:
        reports = Report.objects.visible_to(user)
    else:
        reports = Report.objects.filter(region__in=scope)
    reports = reports.exclude(status=ReportStatus.DRAFT)
    if period is not None:
        reports = reports.filter(period=period)
    if status:
        reports = reports.filter(status=status)
    if region is not None:
        reports = reports.filter(region=region)
    # Only what a queue row shows and its wait needs: not the region's texts, the cycle's
    # rules or the report's notes.
    return (
        reports.select_related("region", "period__cycle")
        .only(*QUEUE_FIELDS)
        .order_by("last_submitted_at", "pk")
    )


def queue_page(reports, number, per_page=50):
    """One page of the queue. The first page usually holds every waiting report: it is then
    read in one query, with no count of the rows."""
    if number in (None, "", "1"):
        head = list(reports[: per_page + 1])
        if len(head) <= per_page:
            return Paginator(head, per_page).page(1)
    return Paginator(reports, per_page).get_page(number)


def regions_in_scope(user):
    return Region.objects.visible_to(user)


def review_wait_days(report, today, holidays):
    """Working days a submitted report has waited for review, counted in the region's zone
    (the queue's figure and the service-level reminder's, one rule)."""
    from django.utils import timezone

    from .scoring import working_days_between

    sent_on = timezone.localtime(report.last_submitted_at, report.region.zone).date()
    return working_days_between(sent_on, today, holidays).count
