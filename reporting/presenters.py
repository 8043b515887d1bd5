"""What the reporting pages show, built with a fixed number of queries."""

from dataclasses import dataclass

from django.utils import timezone

from .models import Extension, Period, Report, ReportStatus, end_of_local_day


@dataclass
class PeriodRow:
    period: Period
    report: Report | None
    extension: Extension | None
    deadline: object  # aware datetime in the region's zone
    zone_abbreviation: str

    @property
    def state(self):
        return self.report.status if self.report else "not_started"

    @property
    def state_label(self):
        if self.report is None:
            return "Belum dimulai"
        return self.report.get_status_display()

    @property
    def days_left(self):
        today = timezone.now().astimezone(self.deadline.tzinfo).date()
        return (self.deadline.date() - today).days

    @property
    def days_overdue(self):
        return max(0, -self.days_left)

    @property
    def is_open(self):
        today = timezone.now().astimezone(self.deadline.tzinfo).date()
        close = max(self.period.closes_on, self.extension.due_on if self.extension else today)
        return self.period.opens_on <= today <= close

    @property
    def needs_action(self):
        return self.state in ("not_started", ReportStatus.DRAFT, ReportStatus.RETURNED)


def officer_period_rows(region, periods):
    reports = {r.period_id: r for r in Report.objects.filter(region=region, period__in=periods)}
    extensions = {
        e.period_id: e for e in Extension.objects.filter(region=region, period__in=periods)
    }
    zone = region.zone
    rows = []
    for period in periods:
        extension = extensions.get(period.pk)
        due_on = extension.due_on if extension else period.due_on
        rows.append(
            PeriodRow(
                period=period,
                report=reports.get(period.pk),
                extension=extension,
                deadline=end_of_local_day(due_on, zone),
                zone_abbreviation=region.zone_abbreviation,
            )
        )
    return rows
