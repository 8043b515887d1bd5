"""The Django admin of the portal: like Django's, but only for a session verified by its
second factor (an unverified admin is sent to the code page by the gate middleware)."""

from django.contrib import admin


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and getattr(user, "is_verified", bool)()
