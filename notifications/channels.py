"""Delivery channels: e-mail through Django's mail framework and an optional HTTP gateway
(SMS or WhatsApp) that receives a signed JSON POST with a short text and a link only."""

import hashlib
import hmac
import json
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.days import user_zone
from accounts.invitations import contact_proof, path_of

from .models import Profile

SIGNATURE_HEADER = "X-Ranham-Signature"


def languages_of(users):
    found = dict(Profile.objects.filter(user__in=users).values_list("user_id", "language"))
    return {user.pk: found.get(user.pk) or settings.LANGUAGE_CODE for user in users}


def absolute(url):
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def sign(secret, body):
    """HMAC-SHA256 of the exact request body, as ``sha256=<hex>``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def notice_message(notice, language):
    """The e-mail (text and HTML) of one notice, in the recipient's language."""
    with translation.override(language):
        context = {
            "notice": notice,
            "link": absolute(notice.url),
            "user": notice.recipient,
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("notifications/email/notice.txt", context)
        html = render_to_string("notifications/email/notice.html", context)
        subject = f"[RANHAM] {notice.title}"
    return _message(subject, text, html, notice.recipient.email)


def digest_message(user, notices, language):
    """The morning digest: every unread notice of the person since the last one."""
    with translation.override(language):
        context = {
            "notices": [(n, absolute(n.url)) for n in notices],
            "user": user,
            "link": absolute(reverse("notifications:list")),
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
        subject = "[RANHAM] " + translation.gettext("Ringkasan pemberitahuan hari ini (%(n)s)") % {
            "n": len(notices)
        }
    return _message(subject, text, html, user.email)


def link_of(invitation, channel=""):
    """The invitation's link; the one sent to a contact also confirms that contact when used."""
    link = settings.SITE_URL + path_of(invitation)
    if channel:
        link += "?" + urlencode({"melalui": channel, "bukti": contact_proof(invitation, channel)})
    return link


def invitation_message(invitation, language):
    user = invitation.user
    with translation.override(language):
        context = {
            "user": user,
            "zone": user_zone(user),
            "link": link_of(invitation, "email"),
            "expires_at": invitation.expires_at,
            "role": user.get_role_display(),
            "place": user.affiliation,
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("notifications/email/invitation.txt", context)
        html = render_to_string("notifications/email/invitation.html", context)
        subject = "[RANHAM] " + translation.gettext("Undangan ke Portal Aksi HAM")
    return _message(subject, text, html, user.email)


def invitation_text(invitation, language):
    """The short text of the SMS/WhatsApp invitation, with its expiry in the person's zone."""
    from accounts.templatetags.moments import format_moment

    with translation.override(language):
        return translation.gettext(
            "Undangan ke Portal Aksi HAM: buat kata sandi Anda di tautan ini sebelum %(when)s."
        ) % {"when": format_moment(invitation.expires_at, user_zone(invitation.user))}


def _message(subject, text, html, to):
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message


def gateway_payload(notice):
    """Short text and a link; the only personal datum is the recipient's number."""
    return {
        "to": notice.recipient.phone,
        "text": notice.title[:160],
        "url": absolute(notice.url),
        "id": f"ranham-{notice.pk}",
    }


IDEMPOTENCY_HEADER = "Idempotency-Key"


def post_to_gateway(payload, *, timeout=10, idempotency_key=None):
    """POST the signed payload; ``idempotency_key`` (the same on every attempt of one
    delivery) lets the gateway drop a second copy."""
    url = settings.NOTIFY_GATEWAY_URL
    if not url.startswith(("https://", "http://")):
        raise ValueError("NOTIFY_GATEWAY_URL must be an http(s) URL")
    body = json.dumps(payload, separators=(",", ":")).encode()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(settings.NOTIFY_GATEWAY_SECRET, body),
            **({IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
        if response.status >= 300:
            raise OSError(f"gateway answered {response.status}")
