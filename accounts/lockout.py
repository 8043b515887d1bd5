"""What a person sees when django-axes refuses a login: the portal's login page, in its language.

Axes counts failures per user name and per address (settings.AXES_*); once either reaches the
limit, every login for it is refused until the cool-off has passed or an admin unlocks it
(Django admin: "Access attempts", delete the rows, or ``manage.py axes_reset_username``).
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import LoginForm

LOCKOUT_STATUS = 429


def cooloff_minutes():
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message():
    return _(
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, masuk dengan nama pengguna "
        "ini atau dari alamat ini dikunci selama %(minutes)s menit. Coba lagi nanti, atau "
        "hubungi admin Kementerian untuk membukanya."
    ) % {"minutes": cooloff_minutes()}


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message, as 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username[:150]})
    context = {
        "form": form,
        "lockout": lockout_message(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "title": _("Masuk"),
    }
    return render(request, "accounts/login.html", context, status=LOCKOUT_STATUS)


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before the password, for logins that come with a request.

    Authentication without one (a shell, a management command, a script) has no address to
    count and no visitor to slow down; accounts.backends.PortalBackend after this one handles it.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
