from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Pemberitahuan")

    def ready(self):
        # Listens to the other apps' events; none of them imports this app.
        from . import (  # noqa: F401 - outbox handlers register on import
            invitations,
            password_reset,
            receivers,
            unlock,
        )

        receivers.connect()
