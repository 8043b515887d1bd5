from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import SendLog, SendStatus
from .services import resend


@admin.register(SendLog)
class SendLogAdmin(admin.ModelAdmin):
    """Deliveries and their failures with the reason (filter by status); a failed one is
    sent again through the service once its cause (a mail server, a gateway) is fixed."""

    list_display = [
        "created_at",
        "recipient",
        "kind",
        "channel",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient__username", "recipient__email", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in SendLog._meta.fields]
    actions = ["send_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Kirim ulang yang gagal"))
    def send_again(self, request, queryset):
        ids = resend(queryset.filter(status=SendStatus.FAILED), by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d pengiriman dijadwalkan ulang.",
                "%(count)d pengiriman dijadwalkan ulang.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )
