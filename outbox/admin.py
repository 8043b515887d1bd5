from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Entry, EntryStatus
from .services import retry_failed


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: entries are written by the changes that cause them; a failed one can be
    started again once its cause (a mail server, a gateway) is fixed."""

    list_display = ["created_at", "topic", "status", "attempts", "last_error", "done_at"]
    list_filter = ["status", "topic"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Ulangi pekerjaan yang gagal"))
    def retry(self, request, queryset):
        ids = retry_failed(queryset.filter(status=EntryStatus.FAILED).values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d pekerjaan diulang.", "%(count)d pekerjaan diulang.", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )
