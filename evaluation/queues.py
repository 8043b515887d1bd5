"""The evaluator's queue: which reports wait, and how each period of a cycle stands."""

from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import Region
from reporting.models import (
    ActionMeasure,
    Extension,
    Period,
    Report,
    ReportStatus,
    end_of_local_day,
)


@dataclass
class PeriodCounts:
    """DHIS2-style completeness of one period: expected, submitted, on time, and the rest."""

    period: Period
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    returned: int = 0
    verified: int = 0

    @property
    def not_submitted(self):
        return max(0, self.expected - self.submitted)

    @property
    def reporting_rate(self):
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self):
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


def period_counts(cycle, regions):
    """Counts per period of the cycle over the given regions, in four queries."""
    periods = list(Period.objects.filter(cycle=cycle))
    counts = {p.pk: PeriodCounts(period=p) for p in periods}
    expected = (
        ActionMeasure.objects.filter(period__in=periods)
        .values("period_id")
        .annotate(
            n=Count(
                "action__assignments__region",
                distinct=True,
                filter=Q(action__assignments__region__in=regions),
            )
        )
    )
    for row in expected:
        counts[row["period_id"]].expected = row["n"]
    extensions = {
        (e.region_id, e.period_id): e.due_on
        for e in Extension.objects.filter(period__in=periods, region__in=regions)
    }
    reports = (
        Report.objects.filter(period__in=periods, region__in=regions)
        .select_related("region")
        .only("status", "first_submitted_at", "period_id", "region__time_zone")
    )
    for report in reports:
        row = counts[report.period_id]
        if report.first_submitted_at is not None:
            row.submitted += 1
            due_on = extensions.get((report.region_id, report.period_id), row.period.due_on)
            if report.first_submitted_at <= end_of_local_day(due_on, report.region.zone):
                row.on_time += 1
        if report.status == ReportStatus.RETURNED:
            row.returned += 1
        elif report.status == ReportStatus.VERIFIED:
            row.verified += 1
    return [counts[p.pk] for p in periods]


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
