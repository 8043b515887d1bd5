"""Piagam follow the reports they rest on, without evaluation or reporting knowing of them."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from reporting.models import EventKind, ReportEvent

from .services import flag_dependent_certificates


@receiver(post_save, sender=ReportEvent, dispatch_uid="piagam-flag-on-reopen")
def flag_on_reopen(sender, instance, created, **kwargs):
    # A reopened report may change its scope's awards: the piagam resting on them need a look.
    if created and instance.kind == EventKind.REOPENED:
        report = instance.report
        flag_dependent_certificates(
            report, f"Laporan {report} dibuka kembali: {instance.reason.strip()}"
        )
