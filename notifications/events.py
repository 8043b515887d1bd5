"""Notices for things that just happened: report events, extension requests and decisions,
piagam issued, and an evaluator's "Ingatkan". The outbox handlers of the changes that cause
them, run by a worker after commit, by ids; each is idempotent (the notice's key)."""

from django.utils import timezone

from outbox.registry import register
from piagam.models import Certificate, CertificateStatus
from piagam.rendering import ISSUED_TOPIC
from reporting.models import EventKind, ExtensionRequest, ReportEvent
from reporting.services import current_due_on

from . import compose
from .delivery import NOTICES_QUEUE
from .models import Kind, Notice
from .recipients import evaluators_of, officers_of
from .services import notify

REPORT_EVENT = "notifications.report_event"
EXTENSION_REQUESTED = "notifications.extension_requested"
EXTENSION_DECIDED = "notifications.extension_decided"
PIAGAM_ISSUED = ISSUED_TOPIC

# Making a notice is a few queries per recipient; the mails go out in deliveries of their own.
LIMITS = {"queue": NOTICES_QUEUE, "soft_time_limit": 60, "time_limit": 90}


@register(REPORT_EVENT, **LIMITS)
def report_event(event_id):
    """The notices of a submission, return, reopening or verification (once each)."""
    event = ReportEvent.objects.select_related("report__region", "report__period__cycle").get(
        pk=event_id
    )
    report = event.report
    region = report.region
    if event.kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
        resubmitted = event.kind == EventKind.RESUBMITTED
        kind = Kind.RESUBMITTED if resubmitted else Kind.SUBMITTED
        return notify(
            evaluators_of(region),
            kind,
            report,
            compose.submitted(report, resubmitted=resubmitted),
            occasion=f"event-{event.pk}",
        )
    if event.kind in (EventKind.RETURNED, EventKind.REOPENED):
        revision_request = (
            report.revision_requests.order_by("-returned_at", "-pk")
            .prefetch_related("items__requirement")
            .first()
        )
        return notify(
            officers_of(region),
            Kind.RETURNED,
            report,
            compose.returned(report, revision_request),
            occasion=f"event-{event.pk}",
        )
    if event.kind == EventKind.VERIFIED:
        from evaluation.models import Score

        score = Score.objects.filter(region=region, period=report.period).first()
        return notify(
            officers_of(region),
            Kind.VERIFIED,
            report,
            compose.verified(report, score),
            occasion=f"event-{event.pk}",
        )
    return []


def _extension_request(request_id):
    return ExtensionRequest.objects.select_related("region", "period__cycle").get(pk=request_id)


@register(EXTENSION_REQUESTED, **LIMITS)
def extension_requested(request_id):
    """Tell the Kanwil's evaluators of an officer's request (once)."""
    request = _extension_request(request_id)
    return notify(
        evaluators_of(request.region),
        Kind.EXTENSION_REQUESTED,
        request,
        compose.extension_requested(request),
    )


@register(EXTENSION_DECIDED, **LIMITS)
def extension_decided(request_id):
    """Tell the region's officers of the decision (once per decision)."""
    request = _extension_request(request_id)
    return notify(
        officers_of(request.region),
        Kind.EXTENSION_DECIDED,
        request,
        compose.extension_decided(request),
        occasion=request.status,
    )


@register(PIAGAM_ISSUED, **LIMITS)
def piagam_issued(certificate_id):
    """Tell the region's officers of their issued piagam (once)."""
    certificate = Certificate.objects.select_related("region").get(pk=certificate_id)
    if certificate.status != CertificateStatus.ISSUED:
        return []
    return notify(
        officers_of(certificate.region),
        Kind.PIAGAM_ISSUED,
        certificate,
        compose.piagam_issued(certificate),
        occasion="issued",
    )


def remind(period, regions, *, by, dry_run=False, now=None):
    """An evaluator's reminder to the officers of regions that have not submitted: at most
    once a day per region (the occasion is the region's date). With dry_run, who would hear."""
    now = now or timezone.now()
    plan = []
    for region in regions:
        today = region.today(now).isoformat()
        officers = list(officers_of(region))
        already = Notice.objects.filter(
            kind=Kind.REMINDER,
            object_type="reporting.period",
            object_id=str(period.pk),
            occasion=today,
            recipient__region=region,
        ).exists()
        plan.append({"region": region, "recipients": officers, "already_today": already})
        if dry_run or already or not officers:
            continue
        due_on = current_due_on(region, period)
        notify(
            officers,
            Kind.REMINDER,
            period,
            compose.reminder(period, region, due_on, by),
            occasion=today,
        )
    return plan
