"""Login throttling that an attacker cannot turn against the account's owner.

Three parts, each counted where every web process sees it:

- django-axes locks a user name *together with* the address the failures came from
  (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``, database): a guesser locks
  itself out, not the officer at the office.
- A user name that fails from many addresses is slowed, not blocked (shared cache): after
  ``LOGIN_SLOWDOWN_AFTER`` failures each further try waits twice as long as the one before
  (30 s, 1 min, 2 min ... at most ``LOGIN_SLOWDOWN_MAX_SECONDS``). Tries made while waiting are
  refused without looking at the password and are not counted, so however many addresses an
  attacker has, a name gets a few guesses an hour.
- The owner need not wait: a single-use link (``UNLOCK_LINK_MAX_AGE`` seconds), sent by the
  notifications app to the confirmed e-mail or WhatsApp number (outbox topic
  ``accounts.unlock_link_sent``), clears the name's axes locks and gives that browser a pass
  past the slowdown for the name.
"""

import hashlib
import math
import secrets
import time

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.core.cache import cache
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import LoginForm

LOCKOUT_STATUS = 429
UNLOCK_TOPIC = "accounts.unlock_link_sent"
UNLOCK_SALT = "accounts.unlock"
PASS_COOKIE = "ranham_unlock"
PASS_SALT = "accounts.unlock-pass"


# --- counting in the shared cache --------------------------------------------------------------


def within_limit(key, limit, seconds):
    """Count one more use of ``key`` in a window of ``seconds``; False once past ``limit``."""
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, seconds)
        count = 1
    return count <= limit


def _name_key(username):
    digest = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return f"login-slow:{digest}"


def slowdown_after():
    return int(getattr(settings, "LOGIN_SLOWDOWN_AFTER", settings.AXES_FAILURE_LIMIT))


def delay_after(failures):
    """Seconds a user name waits after ``failures`` failed tries (0 below the threshold)."""
    over = failures - slowdown_after()
    if over < 0:
        return 0
    first = int(getattr(settings, "LOGIN_SLOWDOWN_FIRST_SECONDS", 30))
    ceiling = int(getattr(settings, "LOGIN_SLOWDOWN_MAX_SECONDS", 1800))
    return min(ceiling, first * 2 ** min(over, 20))


def wait_for(username, now=None):
    """Seconds before the next try for this user name is looked at (0: now)."""
    state = cache.get(_name_key(username))
    if not state:
        return 0
    now = time.time() if now is None else now
    return max(0, math.ceil(state["last"] + delay_after(state["failures"]) - now))


def note_failure(username, now=None):
    """One more failed try for the user name, from whatever address."""
    key = _name_key(username)
    state = cache.get(key) or {"failures": 0}
    state = {"failures": state["failures"] + 1, "last": time.time() if now is None else now}
    cache.set(key, state, int(getattr(settings, "LOGIN_SLOWDOWN_MEMORY_SECONDS", 24 * 3600)))


@receiver(user_login_failed, dispatch_uid="accounts-lockout-note-failure")
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is None or getattr(request, "axes_locked_out", False):
        return  # refused before the password was looked at: not a guess
    username = (credentials or {}).get("username")
    if username:
        note_failure(username)


# --- the pass the unlock link gives ----------------------------------------------------------


def unlock_max_age():
    return int(getattr(settings, "UNLOCK_LINK_MAX_AGE", 30 * 60))


def unlock_token(user):
    """A signed single-use token for ``user``'s unlock link."""
    return signing.dumps({"u": user.pk, "n": secrets.token_urlsafe(12)}, salt=UNLOCK_SALT)


def read_unlock_token(token):
    """``(user id, nonce)`` of a valid, unexpired token, else None."""
    try:
        data = signing.loads(token, salt=UNLOCK_SALT, max_age=unlock_max_age())
    except signing.BadSignature:
        return None
    return data["u"], data["n"]


def use_unlock_token(token):
    """The user id of a token used now for the first time, else None (spent, expired, forged)."""
    found = read_unlock_token(token)
    if found is None:
        return None
    user_id, nonce = found
    if not cache.add(f"unlock-used:{nonce}", 1, unlock_max_age() + 60):
        return None
    return user_id


def unlock(user, response):
    """Lift the user name's axes locks and give this browser a pass past its slowdown."""
    from axes.utils import reset

    reset(username=user.get_username())
    response.set_signed_cookie(
        PASS_COOKIE,
        user.get_username().lower(),
        salt=PASS_SALT,
        max_age=unlock_max_age(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def has_pass(request, username):
    held = request.get_signed_cookie(
        PASS_COOKIE, default=None, salt=PASS_SALT, max_age=unlock_max_age()
    )
    return bool(held) and held == (username or "").strip().lower()


# --- what the login page shows ------------------------------------------------------------------


def cooloff_minutes():
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message():
    return _(
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, masuk dengan nama pengguna "
        "ini dari alamat ini dikunci selama %(minutes)s menit. Coba lagi nanti, atau minta "
        "tautan pembuka kunci di bawah ini."
    ) % {"minutes": cooloff_minutes()}


def slowdown_message(seconds):
    return _(
        "Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini. Demi keamanan, "
        "percobaan berikutnya baru diperiksa setelah %(seconds)s detik. Bila itu akun Anda, "
        "minta tautan pembuka kunci di bawah ini."
    ) % {"seconds": seconds}


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the reason and the unlock form, 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username[:150]})
    slowed = getattr(request, "portal_slowed", 0)
    context = {
        "form": form,
        "lockout": slowdown_message(slowed) if slowed else lockout_message(),
        "unlock_username": username[:150],
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "title": _("Masuk"),
    }
    response = render(request, "accounts/login.html", context, status=LOCKOUT_STATUS)
    if slowed:
        response["Retry-After"] = str(slowed)
    return response


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, then the user name's slowdown, before the password, for logins that come
    with a request.

    Authentication without one (a shell, a management command, a script) has no address to
    count and no visitor to slow down; accounts.backends.PortalBackend after this one handles it.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        if username and not has_pass(request, username):
            seconds = wait_for(username)
            if seconds:
                request.portal_slowed = seconds
                request.axes_locked_out = True  # axes records nothing and shows locked_out
                raise AxesBackendPermissionDenied("the user name is slowed down")
        return None
