"""Keeps the stored scores current when reporting changes, without reporting knowing of it."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from reporting.models import EventKind, ReportEvent

from .scorecards import recompute_report


@receiver(post_save, sender=ReportEvent, dispatch_uid="evaluation-rescore-on-submit")
def rescore_on_submission(sender, instance, created, **kwargs):
    # A submission moves T (and makes the score provisional): rankings must show it.
    if created and instance.kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
        report = instance.report
        transaction.on_commit(lambda: recompute_report(report))
