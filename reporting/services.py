"""Every change of state of reporting data goes through here."""

from django.db import IntegrityError, transaction

from .models import EventKind, Period, Report, ReportEvent, ReportStatus


@transaction.atomic
def generate_periods(cycle):
    """Create the periods of the cycle's scheme that do not exist yet; returns those created."""
    existing = set(cycle.periods.values_list("code", flat=True))
    created = [period for period in cycle.planned_periods() if period.code not in existing]
    Period.objects.bulk_create(created)
    return created


def start_report(region, period, *, by):
    """The report of a region for a period, created (with its audit event) on first use."""
    report = Report.objects.filter(region=region, period=period).first()
    if report is not None:
        return report
    try:
        with transaction.atomic():
            report = Report.objects.create(region=region, period=period)
            ReportEvent.objects.create(
                report=report, kind=EventKind.CREATED, to_status=ReportStatus.DRAFT, actor=by
            )
    except IntegrityError:
        # Another tab or colleague created it at the same moment: use theirs.
        report = Report.objects.get(region=region, period=period)
    return report
