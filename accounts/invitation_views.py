"""The invitation link: the invited person sees who they are invited as, sets their own
password, and is signed in (an admin then enrols the second factor)."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import invitations
from .days import user_zone
from .forms import InvitationPasswordForm
from .models import InvitationStatus
from .two_factor import second_factor_required

BACKEND = "accounts.backends.PortalBackend"


def _state_page(request, invitation, state):
    """What to do next with a link that no longer works; 404 only for one never issued."""
    return render(
        request,
        "accounts/invitation_state.html",
        {"invitation": invitation, "state": state},
        status=404 if state == "unknown" else 410,
    )


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept(request, token):
    invitation = invitations.find(token)
    if invitation is None:
        return _state_page(request, None, "unknown")
    if invitation.status != InvitationStatus.PENDING:
        return _state_page(request, invitation, invitation.status)
    user = invitation.user
    form = InvitationPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted = invitations.accept(
            invitation,
            form.cleaned_data["new_password1"],
            via=request.GET.get("melalui", ""),
            proof=request.GET.get("bukti", ""),
        )
        if not accepted:
            invitation.refresh_from_db()
            return _state_page(request, invitation, invitation.status)
        user.refresh_from_db()
        login(request, user, backend=BACKEND)
        if second_factor_required(user):
            messages.success(
                request,
                _(
                    "Kata sandi tersimpan. Satu langkah lagi: admin wajib memakai verifikasi dua "
                    "langkah."
                ),
            )
            setup = reverse("accounts:two-factor-setup")
            return redirect(f"{setup}?{urlencode({'next': '/'})}")
        messages.success(
            request, _("Selamat datang! Kata sandi Anda tersimpan dan Anda sudah masuk.")
        )
        return redirect("home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "invited": user,
            "zone": user_zone(user),
            "form": form,
        },
    )
