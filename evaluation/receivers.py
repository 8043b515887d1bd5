"""Keeps the stored scores current when reporting changes, without reporting knowing of it."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.signals import holidays_changed
from reporting.models import EventKind, ReportEvent, ReportingCycle
from reporting.signals import scores_affected

from .scorecards import recompute_cycle, recompute_report


@receiver(post_save, sender=ReportEvent, dispatch_uid="evaluation-rescore-on-submit")
def rescore_on_submission(sender, instance, created, **kwargs):
    # A submission moves T (and makes the score provisional): rankings must show it.
    if created and instance.kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
        report = instance.report
        transaction.on_commit(lambda: recompute_report(report))


@receiver(scores_affected, dispatch_uid="evaluation-rescore-on-setup-change")
def rescore_on_setup_change(sender, cycle, regions=None, periods=None, **kwargs):
    # Extensions, rules, period dates and assignments: only what the change touched.
    transaction.on_commit(lambda: recompute_cycle(cycle, periods=periods, regions=regions))


def cycles_counting(dates):
    """The cycles whose working days may include these dates (see scorecards.holiday_dates)."""
    years = {day.year for day in dates} | {day.year - 1 for day in dates}
    return ReportingCycle.objects.filter(year__in=years)


@receiver(holidays_changed, dispatch_uid="evaluation-rescore-on-holidays")
def rescore_on_holidays(sender, dates, **kwargs):
    # A working day more or less changes R wherever a revision round spans it.
    dates = set(dates)

    def recompute():
        for cycle in cycles_counting(dates):
            recompute_cycle(cycle)

    transaction.on_commit(recompute)
