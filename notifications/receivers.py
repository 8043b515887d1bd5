"""Connects to the other apps' events (post_save of their rows, their signals); they never
name this app. Each receiver works after commit, so a rolled-back change tells nobody."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from evaluation.signals import reminder_requested
from piagam.models import Certificate, CertificateStatus
from reporting.models import ExtensionRequest, ReportEvent

from . import events
from .models import Notice
from .services import notice_changed


def on_report_event(sender, instance, created, **kwargs):
    if created:
        transaction.on_commit(partial(events.report_event, instance.pk))


def on_extension_request(sender, instance, created, update_fields=None, **kwargs):
    if created:
        transaction.on_commit(partial(events.extension_requested, instance.pk))
    elif not instance.is_pending:
        transaction.on_commit(partial(events.extension_decided, instance.pk))


def on_certificate(sender, instance, **kwargs):
    # Workers set "issued" with a conditional update(), which sends no signal: the
    # announcement sweep (tasks.announce_piagam) catches those; this catches saves.
    if instance.status == CertificateStatus.ISSUED and instance.pdf:
        transaction.on_commit(partial(events.piagam_issued, instance.pk))


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
