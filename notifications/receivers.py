"""Connects to the other apps' events (post_save of their rows, their signals); they never
name this app. Each receiver only writes an outbox entry (the ids) in the change's own
transaction: a rolled-back change tells nobody, and the notices are made by a worker after
the commit, so nothing that goes wrong there can turn the saved change into an error page."""

from django.db.models.signals import post_delete, post_save

from evaluation.signals import reminder_requested
from outbox.services import record
from piagam.models import Certificate, CertificateStatus
from reporting.models import EventKind, ExtensionRequest, ReportEvent

from . import events
from .models import Notice
from .services import notice_changed

# The report events someone hears of (events.report_event); the others write no entry.
ANNOUNCED_EVENTS = frozenset(
    {
        EventKind.SUBMITTED,
        EventKind.RESUBMITTED,
        EventKind.RETURNED,
        EventKind.REOPENED,
        EventKind.VERIFIED,
    }
)


def on_report_event(sender, instance, created, **kwargs):
    if created and instance.kind in ANNOUNCED_EVENTS:
        record(events.REPORT_EVENT, event_id=instance.pk)


def on_extension_request(sender, instance, created, update_fields=None, **kwargs):
    if created:
        record(events.EXTENSION_REQUESTED, request_id=instance.pk)
    elif not instance.is_pending:
        record(events.EXTENSION_DECIDED, request_id=instance.pk)


def on_certificate(sender, instance, created, update_fields=None, **kwargs):
    # Workers record the entry themselves in the transaction that issues the piagam
    # (piagam.rendering.store_pdf, a conditional update without a signal); this catches a
    # certificate saved as issued (an admin's repair, seeded data).
    if update_fields is not None and "status" not in update_fields:
        return
    if instance.status == CertificateStatus.ISSUED and instance.pdf:
        record(events.PIAGAM_ISSUED, certificate_id=instance.pk)


def on_reminder_requested(sender, *, period, regions, by, dry_run=False, **kwargs):
    return events.remind(period, regions, by=by, dry_run=dry_run)


def connect():
    post_save.connect(on_report_event, sender=ReportEvent, dispatch_uid="notices-report-event")
    post_save.connect(
        on_extension_request, sender=ExtensionRequest, dispatch_uid="notices-extension"
    )
    post_save.connect(on_certificate, sender=Certificate, dispatch_uid="notices-piagam")
    reminder_requested.connect(on_reminder_requested, dispatch_uid="notices-reminder")
    post_save.connect(notice_changed, sender=Notice, dispatch_uid="notices-unread-save")
    post_delete.connect(notice_changed, sender=Notice, dispatch_uid="notices-unread-delete")
