"""Sends the owner of a user name its single-use unlock link (accounts.lockout), by e-mail and
(with a gateway) WhatsApp, only to an address or number the person has confirmed: the outbox
handler of ``accounts.unlock_link_sent``."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation

from accounts.lockout import UNLOCK_TOPIC, unlock_max_age, unlock_token
from outbox.registry import register

from .channels import absolute, post_to_gateway
from .services import gateway_configured


def unlock_link(user):
    return absolute(reverse("accounts:unlock", args=[unlock_token(user)]))


@register(UNLOCK_TOPIC, queue="celery", soft_time_limit=30)
def send_unlock_link(username, language="id"):
    """A new link per run: a repeated run sends another, which is as good as the first (each
    works once, and only for its short life). Unknown names and unconfirmed channels get
    nothing, and the request that asked never learns which."""
    user = (
        get_user_model()
        .objects.filter(username__iexact=username, is_active=True)
        .exclude(email_confirmed_at__isnull=True, phone_confirmed_at__isnull=True)
        .first()
    )
    if user is None:
        return 0
    link = unlock_link(user)
    sent = 0
    with translation.override(language):
        minutes = unlock_max_age() // 60
        if user.email and user.email_confirmed_at:
            body = translation.gettext(
                "Yth. %(name)s,\n\nSeseorang (semoga Anda) meminta tautan untuk membuka kunci "
                "masuk nama pengguna %(username)s di Portal Aksi HAM. Buka tautan ini dalam "
                "%(minutes)s menit; tautan hanya berlaku sekali:\n\n%(link)s\n\nBila bukan Anda "
                "yang meminta, abaikan e-mail ini: kata sandi Anda tetap aman.\n"
            ) % {
                "name": user.get_full_name() or user.get_username(),
                "username": user.get_username(),
                "minutes": minutes,
                "link": link,
            }
            subject = "[RANHAM] " + translation.gettext("Tautan pembuka kunci akun")
            send_mail(subject, body, None, [user.email])
            sent += 1
        if user.phone and user.phone_confirmed_at and gateway_configured():
            post_to_gateway(
                {
                    "to": user.phone,
                    "text": translation.gettext(
                        "Portal Aksi HAM: tautan pembuka kunci akun Anda (berlaku %(minutes)s "
                        "menit, sekali pakai)."
                    )
                    % {"minutes": minutes},
                    "url": link,
                    "id": f"ranham-unlock-{user.pk}",
                }
            )
            sent += 1
    return sent
