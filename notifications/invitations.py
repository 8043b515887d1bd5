"""Sends each invitation once, by e-mail and (with a number and a gateway) SMS/WhatsApp, in
the invited person's language: the outbox handler of ``accounts.invitation_sent``."""

from accounts.invitations import SENT_TOPIC
from accounts.models import Invitation
from outbox.registry import register

from .delivery import NOTICES_QUEUE
from .models import Channel, SendLog

KIND = "invitation"


@register(SENT_TOPIC, queue=NOTICES_QUEUE, soft_time_limit=30)
def send_invitation(invitation_id):
    """One send-log row per channel, keyed by the invitation: a second run adds nothing and
    queues only what is still pending."""
    from .services import enqueue_new, gateway_configured

    invitation = Invitation.objects.select_related("user").get(pk=invitation_id)
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
    if gateway_configured() and user.phone:
        rows.append(SendLog(channel=Channel.GATEWAY, **key))
    return enqueue_new(rows)
