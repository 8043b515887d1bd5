"""Sends the password reset mail from a worker: the outbox handler of
``accounts.password_reset_requested``. The request that asked only wrote the entry, so it
answers the same, in the same time, whether the address belongs to anyone."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from accounts.views import PASSWORD_RESET_TOPIC
from outbox.registry import register


@register(PASSWORD_RESET_TOPIC, queue="celery", soft_time_limit=30)
def send_password_reset(email, language="id"):
    """Django's reset mail to every active account with that address (none: nothing); the
    link is built on SITE_URL, with its scheme and port, never on a request's Host header."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    site = urlsplit(settings.SITE_URL)
    users = list(form.get_users(email))
    with translation.override(language):
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name="accounts/password_reset_subject.txt",
            email_template_name="accounts/password_reset_email.txt",
        )
    return len(users)
