"""Every notice is made here: once per recipient, kind, object and occasion, in the
recipient's language, then delivered on the channels the recipient chose."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from accounts.cached import forget_after_commit
from accounts.models import AuditAction
from accounts.services import audit

from .channels import languages_of
from .delivery import queue_ids
from .models import (
    DEFAULT_MODE,
    DEFAULT_MODES,
    MANDATORY_KINDS,
    Channel,
    Mode,
    Notice,
    Preference,
    Profile,
    SendLog,
    SendStatus,
)


def object_ref(obj):
    return obj._meta.label_lower, str(obj.pk)


def mode_of(kind, chosen):
    """The mode that applies: the person's choice, else the kind's default; never off when
    the kind is mandatory."""
    mode = chosen or DEFAULT_MODES.get(kind, DEFAULT_MODE)
    if kind in MANDATORY_KINDS and mode == Mode.OFF:
        return DEFAULT_MODES.get(kind, Mode.IMMEDIATELY)
    return mode


def gateway_configured():
    return bool(getattr(settings, "NOTIFY_GATEWAY_URL", ""))


def notify(recipients, kind, obj, compose, *, occasion=""):
    """Give each recipient (once ever for this key) a notice; ``compose(user)`` returns
    (title, body, url) and is called in the recipient's language. Returns the new notices.

    Immediate deliveries are written as outbox entries in the same transaction (sent by the
    workers after commit); digest ones wait for the morning digest.
    """
    recipients = list({user.pk: user for user in recipients}.values())
    if not recipients:
        return []
    object_type, object_id = object_ref(obj)
    key = {"kind": kind, "object_type": object_type, "object_id": object_id, "occasion": occasion}
    already = set(
        Notice.objects.filter(recipient__in=recipients, **key).values_list(
            "recipient_id", flat=True
        )
    )
    chosen = dict(
        Preference.objects.filter(user__in=recipients, kind=kind).values_list("user_id", "mode")
    )
    languages = languages_of(recipients)
    fresh = []
    for user in recipients:
        mode = mode_of(kind, chosen.get(user.pk))
        if user.pk in already or mode == Mode.OFF:
            continue
        with translation.override(languages[user.pk]):
            title, body, url = compose(user)
            fresh.append(
                Notice(
                    recipient=user,
                    title=str(title)[:200],
                    body=str(body),
                    url=url,
                    mode=mode,
                    **key,
                )
            )
    Notice.objects.bulk_create(fresh, ignore_conflicts=True)
    forget_unread([notice.recipient_id for notice in fresh])
    created = list(
        Notice.objects.filter(recipient__in=[n.recipient for n in fresh], **key).select_related(
            "recipient"
        )
    )
    immediate = [notice for notice in created if notice.mode == Mode.IMMEDIATELY]
    if immediate:
        queue_deliveries(immediate)
    return created


def queue_deliveries(notices):
    """A SendLog row per notice and confirmed contact (e-mail, and the gateway for a number);
    the rows that are new are sent by the workers after commit, in batches (outbox)."""
    rows = []
    gateway = gateway_configured()
    for notice in notices:
        key = {
            "recipient": notice.recipient,
            "kind": notice.kind,
            "object_type": notice.object_type,
            "object_id": notice.object_id,
            "occasion": notice.occasion,
            "notice": notice,
        }
        # Only confirmed contacts: until then a contact gets nothing but its code.
        if notice.recipient.email and notice.recipient.email_confirmed_at:
            rows.append(SendLog(channel=Channel.EMAIL, **key))
        if gateway and notice.recipient.phone and notice.recipient.phone_confirmed_at:
            rows.append(SendLog(channel=Channel.GATEWAY, **key))
    enqueue_new(rows)


def enqueue_new(rows):
    """Insert the send-log rows that do not exist yet and queue those still pending: one
    outbox entry per batch, in the current transaction."""
    if not rows:
        return []
    SendLog.objects.bulk_create(rows, ignore_conflicts=True)
    pending = set()
    with_notice = [row.notice for row in rows if row.notice is not None]
    if with_notice:
        pending.update(
            SendLog.objects.filter(status=SendStatus.PENDING, notice__in=with_notice).values_list(
                "pk", flat=True
            )
        )
    loose = [row for row in rows if row.notice is None]
    if loose:
        candidates = SendLog.objects.filter(
            status=SendStatus.PENDING,
            notice__isnull=True,
            recipient__in=[row.recipient for row in loose],
            kind__in={row.kind for row in loose},
            occasion__in={row.occasion for row in loose},
        ).values_list("pk", "recipient_id", "kind", "object_id", "occasion", "channel")
        wanted = {
            (row.recipient.pk, row.kind, row.object_id, row.occasion, row.channel) for row in loose
        }
        pending.update(pk for pk, *key in candidates if tuple(key) in wanted)
    send_after_commit(pending)
    return sorted(pending)


def send_after_commit(ids):
    """Have the rows sent by the workers once the current transaction commits (an outbox
    entry per batch: nothing is sent, and nothing can fail, in the caller's request)."""
    return queue_ids(ids)


@transaction.atomic
def resend(rows, *, by):
    """An admin's "Kirim ulang" for failed deliveries (once the mail server or gateway is
    fixed): they start again from their first attempt, and the audit trail names who sent
    each one again and why it had failed. Returns the ids sent again."""
    failed = list(
        rows.filter(status=SendStatus.FAILED)
        .select_related("recipient")
        .select_for_update(of=("self",))
    )
    ids = [row.pk for row in failed]
    for row in failed:
        audit(
            AuditAction.DELIVERY_RESENT,
            row,
            by=by,
            details={
                "recipient": row.recipient.get_username(),
                "kind": row.kind,
                "channel": row.channel,
                "attempts": row.attempts,
                "last_error": row.last_error,
            },
        )
    SendLog.objects.filter(pk__in=ids).update(
        status=SendStatus.PENDING,
        attempts=0,
        available_at=None,
        lease_until=None,
        updated_at=timezone.now(),
    )
    send_after_commit(ids)
    return ids


def mark_read(user, notice_ids=None, *, now=None):
    """Mark the user's notices read (all unread ones when no ids are given)."""
    notices = Notice.objects.visible_to(user).unread()
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    changed = notices.update(read_at=now or timezone.now())
    forget_unread([user.pk])
    return changed


# The bell's count is on every page: kept in a shared cache (CACHE_URL) until the person's
# notices change. This bounds how long a read that raced a change (read before its commit,
# stored after the commit forgot the old count) could show the old count.
UNREAD_CACHE_SECONDS = 60


def _unread_key(user_id):
    return f"unread-notices:{user_id}"


def unread_count(user):
    """How many of the person's notices are unread (the navbar's bell)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = _unread_key(user.pk)
    if settings.CACHE_URL:
        found = cache.get(key)
        if found is not None:
            return found
    count = Notice.objects.visible_to(user).unread().count()
    if settings.CACHE_URL:
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread(user_ids):
    """Drop the cached counts of these people once the change is visible to other requests."""
    forget_after_commit(*[_unread_key(pk) for pk in set(user_ids)])


def notice_changed(sender, instance, **kwargs):
    forget_unread([instance.recipient_id])  # an admin's edit or a deletion (user removed)


def set_preferences(user, modes):
    """Store the person's mode per kind; a mandatory kind cannot be switched off."""
    for kind, mode in modes.items():
        Preference.objects.update_or_create(
            user=user, kind=kind, defaults={"mode": mode_of(kind, mode)}
        )


def profile_of(user):
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def regenerate_calendar_token(user):
    """A new private feed address; the old one stops working at once."""
    from .models import new_token

    profile = profile_of(user)
    profile.calendar_token = new_token()
    profile.save(update_fields=["calendar_token", "updated_at"])
    return profile
