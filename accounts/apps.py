from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun, wilayah, dan Kanwil")

    default = True

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import backends, board, checks, holidays  # noqa: F401 - checks: deploy checks
        from .middleware import mark_session_renewed
        from .two_factor import remember_owed_step

        def start_session(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                remember_owed_step(request, user)
                mark_session_renewed(request.session)

        user_logged_in.connect(start_session, dispatch_uid="accounts-start-session")
        backends.connect()
        board.connect()
        holidays.connect()


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site, which asks for the second factor."""

    default = False
    default_site = "accounts.admin_site.PortalAdminSite"
