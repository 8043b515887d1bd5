"""Sends each invitation once, by e-mail and (with a number and a gateway) SMS/WhatsApp, in
the invited person's language: the outbox handlers of ``accounts.invitation_sent`` (one
invitation) and ``accounts.invitations_sent`` (a batch, from an import's commit)."""

from accounts.invitations import BATCH_SENT_TOPIC, SENT_TOPIC
from accounts.models import Invitation
from outbox.registry import register

from .delivery import NOTICES_QUEUE
from .models import Channel, SendLog

KIND = "invitation"


def _rows(invitation, gateway):
    user = invitation.user
    key = {
        "recipient": user,
        "kind": KIND,
        "object_type": "accounts.invitation",
        "object_id": str(invitation.pk),
        "occasion": "",
    }
    rows = []
    if user.email:
        rows.append(SendLog(channel=Channel.EMAIL, **key))
    if gateway and user.phone:
        rows.append(SendLog(channel=Channel.GATEWAY, **key))
    return rows


@register(SENT_TOPIC, queue=NOTICES_QUEUE, soft_time_limit=30)
def send_invitation(invitation_id):
    """One send-log row per channel, keyed by the invitation: a second run adds nothing and
    queues only what is still pending."""
    from .services import enqueue_new, gateway_configured

    invitation = Invitation.objects.select_related("user").get(pk=invitation_id)
    return enqueue_new(_rows(invitation, gateway_configured()))


@register(BATCH_SENT_TOPIC, queue=NOTICES_QUEUE, soft_time_limit=60)
def send_invitations(invitation_ids):
    """``send_invitation`` for a batch, in a few queries; as idempotent (the same keys)."""
    from .services import enqueue_new, gateway_configured

    gateway = gateway_configured()
    rows = []
    for invitation in Invitation.objects.select_related("user").filter(pk__in=invitation_ids):
        rows.extend(_rows(invitation, gateway))
    return enqueue_new(rows)
