"""Keeps the stored scores current when reporting changes, without reporting knowing of it.

A change only writes an outbox entry in its own transaction (report, cycle, period and
region ids); a worker recomputes after the commit. No recomputation runs in a web request,
and a recomputation that fails never turns the saved change into an error page.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Region
from accounts.signals import holidays_changed
from outbox.registry import register
from outbox.services import record
from reporting.models import EventKind, Period, Report, ReportEvent, ReportingCycle
from reporting.signals import scores_affected

from .scorecards import recompute_cycle, recompute_report

RECOMPUTE_REPORT = "evaluation.recompute_report"
RECOMPUTE_CYCLE = "evaluation.recompute_cycle"


@register(RECOMPUTE_REPORT, soft_time_limit=60, time_limit=90)
def recompute_one_report(report_id):
    """Recompute the report's one Score: idempotent, it writes what the rows say now."""
    report = Report.objects.select_related("period__cycle", "region").filter(pk=report_id).first()
    if report is not None:
        recompute_report(report)


# A national cycle takes about a second on the full data set; the limit leaves room for a
# loaded machine and for two cycles queued by one holiday edit running side by side.
@register(RECOMPUTE_CYCLE, soft_time_limit=300, time_limit=360)
def recompute_part_of_cycle(cycle_id, period_ids=None, region_ids=None):
    """Recompute the cycle's scores (only the periods and regions named, when named):
    idempotent, it writes only the scores whose figures differ from the stored ones."""
    cycle = ReportingCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return
    periods = None if period_ids is None else list(Period.objects.filter(pk__in=period_ids))
    regions = None if region_ids is None else list(Region.objects.filter(pk__in=region_ids))
    recompute_cycle(cycle, periods=periods, regions=regions)


def _ids(objects):
    return None if objects is None else sorted({obj.pk for obj in objects})


@receiver(post_save, sender=ReportEvent, dispatch_uid="evaluation-rescore-on-submit")
def rescore_on_submission(sender, instance, created, **kwargs):
    # A submission moves T (and makes the score provisional): rankings must show it.
    if created and instance.kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
        record(RECOMPUTE_REPORT, report_id=instance.report_id)


@receiver(scores_affected, dispatch_uid="evaluation-rescore-on-setup-change")
def rescore_on_setup_change(sender, cycle, regions=None, periods=None, **kwargs):
    # Extensions, rules, period dates and assignments: only what the change touched.
    record(RECOMPUTE_CYCLE, cycle_id=cycle.pk, period_ids=_ids(periods), region_ids=_ids(regions))


def cycles_counting(dates):
    """The cycles whose working days may include these dates (see scorecards.holiday_dates)."""
    years = {day.year for day in dates} | {day.year - 1 for day in dates}
    return ReportingCycle.objects.filter(year__in=years)


@receiver(holidays_changed, dispatch_uid="evaluation-rescore-on-holidays")
def rescore_on_holidays(sender, dates, **kwargs):
    # A working day more or less changes R wherever a revision round spans it: one entry per
    # cycle, so that each national recomputation is a task of its own with its own limit.
    for cycle_id in cycles_counting(set(dates)).values_list("pk", flat=True):
        record(RECOMPUTE_CYCLE, cycle_id=cycle_id, period_ids=None, region_ids=None)
