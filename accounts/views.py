from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import two_factor
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


@login_required
def security(request):
    """The user's own account page: password, and the second factor where it applies."""
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "offered": two_factor.second_factor_offered(user),
            "required": two_factor.second_factor_required(user),
            "enrolled": two_factor.has_authenticator(user),
        },
    )


@never_cache
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: QR code and key, one code to confirm, recovery codes once."""
    user = request.user
    if not two_factor.second_factor_offered(user):
        return redirect("accounts:security")
    if not two_factor.may_enrol(request):
        # Replacing an authenticator needs the old one (or a recovery code) first.
        return redirect("accounts:two-factor")
    device = None
    if request.method == "POST":
        device = two_factor.enrolling_device(request)
    if device is None:
        device = two_factor.start_enrolment(request)
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
    """The enrolment QR code (an otpauth:// URI) as SVG, only of the device this session's
    enrolment page shows, and only to a session that may enrol (two_factor.may_enrol)."""
    import io

    import segno

    device = two_factor.enrolling_device(request) if two_factor.may_enrol(request) else None
    if device is None:
        raise Http404
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
