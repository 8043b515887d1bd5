"""The contacts part of the account page: a form per channel to ask for a code, one to type it."""

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import contacts
from .models import ContactChannel


def _checked(channel):
    if channel not in ContactChannel.values:
        raise Http404
    return channel


class ContactForm(forms.Form):
    value = forms.CharField(max_length=254)

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, prefix=_checked(channel), **kwargs)
        field = self.fields["value"]
        if channel == ContactChannel.EMAIL:
            field.label = gettext_lazy("Alamat e-mail")
            field.widget = forms.EmailInput(
                attrs={"autocomplete": "email", "class": "form-control"}
            )
        else:
            field.label = gettext_lazy("Nomor WhatsApp")
            field.widget = forms.TextInput(
                attrs={
                    "autocomplete": "tel",
                    "inputmode": "tel",
                    "placeholder": "0812 3456 7890",
                    "class": "form-control",
                }
            )


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode 6 angka"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, prefix=f"{_checked(channel)}-code", **kwargs)


def panels(user, bound):
    """One panel per channel: the contact now, whether it is confirmed, the code waiting to
    be typed, and the two forms (``bound`` holds those of a refused POST)."""
    found = []
    for channel, current, confirmed_at in (
        (ContactChannel.EMAIL, user.email, user.email_confirmed_at),
        (ContactChannel.PHONE, user.phone, user.phone_confirmed_at),
    ):
        forms_of = bound.get(channel, {})
        found.append(
            {
                "channel": channel,
                "label": ContactChannel(channel).label,
                "current": current,
                "confirmed_at": confirmed_at,
                "waiting": contacts.open_code(user, channel),
                "contact_form": forms_of.get("contact")
                or ContactForm(channel=channel, initial={"value": current}),
                "code_form": forms_of.get("code") or CodeEntryForm(channel=channel),
            }
        )
    return found


def sent_message(channel):
    if channel == ContactChannel.EMAIL:
        return _("Kode konfirmasi dikirim ke alamat e-mail itu. Berlaku 30 menit.")
    return _("Kode konfirmasi dikirim lewat WhatsApp ke nomor itu. Berlaku 30 menit.")


def confirmed_message(channel):
    if channel == ContactChannel.EMAIL:
        return _("Alamat e-mail dikonfirmasi. Pemberitahuan kini dikirim ke sana.")
    return _("Nomor WhatsApp dikonfirmasi. Pemberitahuan singkat kini dikirim ke sana.")


def refusal(outcome, left):
    if outcome == contacts.WRONG:
        return _("Kode salah. Sisa percobaan: %(n)s.") % {"n": left}
    if outcome == contacts.SPENT:
        return _("Kode salah lima kali. Minta kode baru.")
    if outcome == contacts.TAKEN:
        return _("E-mail ini sudah dipakai akun lain.")
    return _("Tidak ada kode yang menunggu, atau kodenya sudah kedaluwarsa. Minta kode baru.")
