from django.contrib import admin

from .models import SendLog


@admin.register(SendLog)
class SendLogAdmin(admin.ModelAdmin):
    """Deliveries and their failures (filter by status): a window, never a way to send."""

    list_display = ["created_at", "recipient", "kind", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient__username", "recipient__email", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in SendLog._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
