from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import contact_forms, contacts, two_factor
from .forms import CodeForm


@login_required
def no_role(request):
    return render(request, "accounts/no_role.html")


def health(request):
    """Liveness for load balancers and the benchmark's baseline: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _security_page(request, bound=None, status=200):
    user = request.user
    context = {
        "offered": two_factor.second_factor_offered(user),
        "required": two_factor.second_factor_required(user),
        "enrolled": two_factor.has_authenticator(user),
        "contacts": contact_forms.panels(user, bound or {}),
    }
    return render(request, "accounts/security.html", context, status=status)


@login_required
def security(request):
    """The user's own account page: password, contacts, and the second factor where it
    applies."""
    return _security_page(request)


@login_required
@require_POST
def contact_code(request, channel):
    """Send a confirmation code to a new (or not yet confirmed) e-mail or WhatsApp number."""
    form = contact_forms.ContactForm(request.POST, channel=channel)
    if form.is_valid():
        try:
            contacts.request_code(request.user, channel, form.cleaned_data["value"])
        except ValidationError as error:
            form.add_error("value", error)
        except contacts.Throttled as refused:
            form.add_error("value", str(refused))
        else:
            messages.success(request, contact_forms.sent_message(channel))
            return redirect("accounts:security")
    return _security_page(request, {channel: {"contact": form}}, status=400)


@login_required
@require_POST
def contact_confirm(request, channel):
    """Check the code the person typed; the right one confirms the contact."""
    form = contact_forms.CodeEntryForm(request.POST, channel=channel)
    if form.is_valid():
        outcome, left = contacts.confirm(request.user, channel, form.cleaned_data["code"])
        if outcome == contacts.CONFIRMED:
            messages.success(request, contact_forms.confirmed_message(channel))
            return redirect("accounts:security")
        form.add_error("code", contact_forms.refusal(outcome, left))
    return _security_page(request, {channel: {"code": form}}, status=400)


@never_cache
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: QR code and key, one code to confirm, recovery codes once."""
    user = request.user
    if not two_factor.second_factor_offered(user):
        return redirect("accounts:security")
    if two_factor.has_authenticator(user) and not user.is_verified():
        # Replacing an authenticator needs the old one (or a recovery code) first.
        return redirect("accounts:two-factor")
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_authenticator(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request) or "/"},
            )
        form.add_error("code", _("Kode tidak cocok. Masukkan kode yang sedang tampil di aplikasi."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "manual_key": two_factor.manual_key(device),
            "required": two_factor.second_factor_required(user),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def two_factor_qr(request):
    """The enrolment QR code (an otpauth:// URI) as SVG, only for the user's pending device."""
    import io

    import segno

    if not two_factor.second_factor_offered(request.user):
        raise Http404
    device = two_factor.pending_authenticator(request.user)
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(svg, kind="svg", scale=5, border=2)
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def two_factor_verify(request):
    """The second step of logging in: a code from the app, or one recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request) or "home")
    if not two_factor.has_authenticator(user):
        two_factor.remember_owed_step(request, user)
        if two_factor.second_factor_required(user):
            return redirect("accounts:two-factor-setup")
        return redirect(_next_url(request) or "home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.verify_second_factor(request, form.cleaned_data["code"])
        except two_factor.Refused as refused:
            if str(refused) == "throttled":
                form.add_error(
                    "code",
                    _("Terlalu banyak kode salah. Tunggu sebentar sebelum mencoba lagi."),
                )
            else:
                form.add_error("code", _("Kode salah atau sudah dipakai."))
        else:
            return redirect(_next_url(request) or "home")
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )
