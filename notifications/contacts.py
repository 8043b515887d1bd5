"""Sends a contact confirmation code to the new address or number (and nowhere else): the
outbox handler of ``accounts.contact_code_sent``, in the person's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts import contacts
from accounts.days import user_zone
from accounts.models import ContactChannel, ContactCode
from outbox.registry import register

from .channels import languages_of, post_to_gateway


@register(contacts.SENT_TOPIC, queue="celery", soft_time_limit=30)
def send_contact_code(code_id):
    """Once per code: the row is claimed before sending and given back if the send fails,
    so a retry sends it and a second run after a success sends nothing. Returns whether
    this run sent it."""
    code = ContactCode.objects.select_related("user__region", "user__kanwil").get(pk=code_id)
    if not contacts.claim_sending(code.pk):
        return False
    try:
        language = languages_of([code.user])[code.user.pk]
        if code.channel == ContactChannel.EMAIL:
            code_message(code, language).send()
        else:
            post_to_gateway(
                {
                    "to": code.value,
                    "text": code_text(code, language),
                    "url": "",
                    "id": f"ranham-contact-code-{code.pk}",
                }
            )
    except Exception:
        contacts.release_sending(code.pk)
        raise
    return True


def code_text(code, language):
    with translation.override(language):
        return translation.gettext(
            "Kode konfirmasi Portal Aksi HAM: %(code)s. Berlaku 30 menit. Jangan berikan kode "
            "ini kepada siapa pun."
        ) % {"code": contacts.code_of(code)}


def code_message(code, language):
    with translation.override(language):
        context = {
            "user": code.user,
            "code": contacts.code_of(code),
            "expires_at": code.expires_at,
            "zone": user_zone(code.user),
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("notifications/email/contact_code.txt", context)
        html = render_to_string("notifications/email/contact_code.html", context)
        subject = "[RANHAM] " + translation.gettext("Kode konfirmasi e-mail")
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [code.value])
    message.attach_alternative(html, "text/html")
    return message
