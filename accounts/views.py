import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from outbox.services import record

from . import lockout, two_factor
from .forms import CodeForm
from .network import client_address

PASSWORD_RESET_TOPIC = "accounts.password_reset_requested"
_HOUR = 3600


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


# --- password reset and the owner's unlock link -------------------------------------------------
# Both answer the same whether the name or address belongs to someone: the request only writes
# an outbox entry; the worker looks the person up and sends (notifications.password_reset,
# notifications.unlock). Each is throttled per client address and per target.


def _target_key(kind, value):
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{kind}:target:{digest}"


def _within_limits(request, kind, target):
    """(address within its limit, target within its limit) for one more request of ``kind``."""
    address_ok = lockout.within_limit(
        f"{kind}:address:{client_address(request)}",
        settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        _HOUR,
    )
    if not address_ok:
        return False, False
    return True, lockout.within_limit(
        _target_key(kind, target), settings.PASSWORD_RESET_LIMIT_PER_TARGET, _HOUR
    )


def _too_many_requests():
    return _("Terlalu banyak permintaan dari alamat Anda. Tunggu satu jam sebelum mencoba lagi.")


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset link by e-mail; the mail is sent by a worker, never in this request."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        address_ok, target_ok = _within_limits(request, "password-reset", email)
        if not address_ok:
            form.add_error(None, _too_many_requests())
            return render(request, "accounts/password_reset_form.html", {"form": form}, status=429)
        if target_ok:
            record(PASSWORD_RESET_TOPIC, email=email, language=get_language())
        return redirect("accounts:password-reset-done")
    return render(request, "accounts/password_reset_form.html", {"form": form})


@require_POST
def unlock_request(request):
    """Send the owner of a user name a single-use unlock link (if it has a confirmed channel)."""
    username = request.POST.get("username", "").strip()[:150]
    if username:
        address_ok, target_ok = _within_limits(request, "unlock", username)
        if not address_ok:
            messages.error(request, _too_many_requests())
            return redirect("accounts:login")
        if target_ok:
            record(lockout.UNLOCK_TOPIC, username=username, language=get_language())
    messages.info(
        request,
        _(
            "Bila nama pengguna itu terdaftar dengan e-mail atau nomor WhatsApp yang sudah "
            "dikonfirmasi, tautan pembuka kunci sudah dikirim ke sana. Tautan berlaku "
            "%(minutes)s menit dan hanya sekali."
        )
        % {"minutes": lockout.unlock_max_age() // 60},
    )
    return redirect("accounts:login")


@never_cache
@require_http_methods(["GET", "POST"])
def unlock(request, token):
    """The unlock link: a GET only shows the button (mail scanners open links), the POST uses
    the token once, lifts the user name's locks and lets this browser past the slowdown."""
    found = lockout.read_unlock_token(token)
    user = None
    if found is not None:
        user = get_user_model().objects.filter(pk=found[0], is_active=True).first()
    if user is None:
        return render(request, "accounts/unlock.html", {"invalid": True}, status=400)
    if request.method == "POST":
        if lockout.use_unlock_token(token) is None:
            return render(request, "accounts/unlock.html", {"invalid": True}, status=400)
        messages.success(
            request, _("Kunci dibuka. Masuk sekarang dengan nama pengguna dan kata sandi Anda.")
        )
        return lockout.unlock(user, redirect("accounts:login"))
    return render(request, "accounts/unlock.html", {"username": user.get_username()})
