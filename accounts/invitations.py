"""Invitations: a new account gets a single-use link, valid 14 days, where the person sets
their own password. Sending is the notifications app's work: ``invite`` writes an outbox
entry (topic ``accounts.invitation_sent``) in the same transaction, with the invitation's id.

The link carries ``<id>:<nonce>`` signed with the secret key: the database alone never holds
a usable link, a re-send or a revocation makes every earlier link of the person useless, and
accepting one ends it.
"""

import datetime
import secrets

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from outbox.services import record, record_many

from .models import AuditAction, AuditEvent, Invitation, InvitationStatus
from .services import audit

VALID_DAYS = 14
SALT = "accounts.invitation"
SENT_TOPIC = "accounts.invitation_sent"
# Many invitations at once (an import's commit): one entry per batch of ids, so that a national
# import hands the broker a dozen tasks after its commit, not one per person.
BATCH_SENT_TOPIC = "accounts.invitations_sent"
BATCH_SIZE = 100


def token_of(invitation):
    return signing.Signer(salt=SALT).sign(f"{invitation.pk}:{invitation.nonce}")


def path_of(invitation):
    """The invitation's path (``/undangan/<token>/``): put SITE_URL in front for a message."""
    return reverse("accounts:invitation-accept", args=[token_of(invitation)])


def contact_proof(invitation, channel):
    """What the link sent to one contact ("email" or "phone") carries besides the token:
    accepting through it proves the person reads that address, as it is now."""
    user = invitation.user
    address = (user.email if channel == "email" else user.phone).strip().lower()
    value = f"{invitation.pk}:{invitation.nonce}:{channel}:{address}"
    return salted_hmac(SALT + ".contact", value).hexdigest()[:32]


CONFIRMED_FIELDS = {"email": "email_confirmed_at", "phone": "phone_confirmed_at"}


def find(token):
    """The invitation a link names, whatever its state (check ``status``), or None for a
    link that was never issued or has been tampered with."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
        pk, nonce = value.split(":", 1)
        invitation = Invitation.objects.select_related("user").get(pk=int(pk))
    except (signing.BadSignature, ValueError, Invitation.DoesNotExist):
        return None
    if not secrets.compare_digest(invitation.nonce, nonce):
        return None
    return invitation


def pending_of(user, now=None):
    now = now or timezone.now()
    return Invitation.objects.filter(
        user=user, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )


@transaction.atomic
def invite(user, *, by, now=None):
    """A new invitation for ``user`` (earlier open ones end), sent after commit. Returns it.

    An account that already set its password is not invited again (ValueError)."""
    now = now or timezone.now()
    if user.has_usable_password():
        raise ValueError("this account already has a password")
    pending_of(user, now).update(revoked_at=now)
    invitation = Invitation.objects.create(
        user=user,
        nonce=secrets.token_urlsafe(24),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=VALID_DAYS),
        last_sent_at=now,
        times_sent=1,
    )
    audit(AuditAction.USER_INVITED, user, by=by, details={"invitation": invitation.pk})
    record(SENT_TOPIC, invitation_id=invitation.pk)
    return invitation


def invite_many(users, *, by, now=None):
    """``invite`` for each of ``users`` in one transaction (an import's commit), written in
    bulk: earlier open invitations end, one audit event each, sent in batches after commit."""
    users = list(users)
    now = now or timezone.now()
    if any(user.has_usable_password() for user in users):
        raise ValueError("an account already has a password")
    if not users:
        return []
    with transaction.atomic():
        Invitation.objects.filter(
            user__in=users, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        created = Invitation.objects.bulk_create(
            [
                Invitation(
                    user=user,
                    nonce=secrets.token_urlsafe(24),
                    created_by=by,
                    created_at=now,
                    expires_at=now + datetime.timedelta(days=VALID_DAYS),
                    last_sent_at=now,
                    times_sent=1,
                )
                for user in users
            ]
        )
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=by,
                    action=AuditAction.USER_INVITED,
                    object_type=user._meta.label_lower,
                    object_id=str(user.pk),
                    object_repr=str(user)[:200],
                    details={"invitation": invitation.pk},
                )
                for user, invitation in zip(users, created, strict=True)
            ]
        )
        ids = [invitation.pk for invitation in created]
        record_many(
            BATCH_SENT_TOPIC,
            [{"invitation_ids": ids[i : i + BATCH_SIZE]} for i in range(0, len(ids), BATCH_SIZE)],
        )
    return created


@transaction.atomic
def revoke(invitation, *, by, now=None):
    now = now or timezone.now()
    changed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    if changed:
        audit(
            AuditAction.INVITATION_REVOKED,
            invitation.user,
            by=by,
            details={"invitation": invitation.pk},
        )
    return bool(changed)


@transaction.atomic
def accept(invitation, password, *, now=None, via="", proof=""):
    """The person sets their password: the account becomes active and the link is spent.
    Returns False (and changes nothing) when the link is no longer pending.

    A link opened from the e-mail (``via="email"`` with its ``contact_proof``) also confirms
    that e-mail; from the SMS/WhatsApp message, that number."""
    now = now or timezone.now()
    locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if locked.status_at(now) != InvitationStatus.PENDING:
        return False
    user = locked.user
    user.set_password(password)
    user.is_active = True
    fields = ["password", "is_active"]
    if (
        via in CONFIRMED_FIELDS
        and (user.email if via == "email" else user.phone)
        and secrets.compare_digest(contact_proof(locked, via), str(proof))
    ):
        setattr(user, CONFIRMED_FIELDS[via], now)
        fields.append(CONFIRMED_FIELDS[via])
    user.save(update_fields=fields)
    locked.accepted_at = now
    locked.save(update_fields=["accepted_at"])
    audit(AuditAction.INVITATION_ACCEPTED, user, by=user, details={"invitation": locked.pk})
    return True
