"""The Django admin of the portal: like Django's, but only for a session verified by its
second factor (an unverified admin is sent to the code page by the gate middleware), and with
every date and time in the viewer's zone, named (ranham_portal/formats: "3 Des 2026, 10.08
WIB"; DESIGN section 8)."""

import functools

from django.contrib import admin
from django.utils import timezone

from accounts.days import user_zone


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and getattr(user, "is_verified", bool)()

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        @functools.wraps(wrapped)
        def in_viewer_zone(request, *args, **kwargs):
            with timezone.override(user_zone(request.user)):
                response = wrapped(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return in_viewer_zone
