from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import people
from .models import AccountImport, AuditEvent, Holiday, Kanwil, KanwilProvince, Region, User
from .services import delete_holiday, delete_holidays, save_holiday
from .two_factor import remove_second_factor


class ReadOnlyAdmin(admin.ModelAdmin):
    """A window that only shows: the rows change through the portal's services alone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "time_zone", "population"]
    list_filter = ["level", "time_zone"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    raw_id_fields = ["province"]


class KanwilProvinceInline(admin.TabularInline):
    model = KanwilProvince
    extra = 1
    autocomplete_fields = ["province"]


@admin.register(Kanwil)
class KanwilAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city", "head_name", "head_title"]
    search_fields = ["name", "code", "city", "head_name"]
    inlines = [KanwilProvinceInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "region", "kanwil", "is_active"]
    list_filter = ["role", "is_active", "is_kanwil_admin", "kanwil"]
    search_fields = ["username", "first_name", "last_name", "email", "region__name"]
    list_select_related = ["region", "kanwil"]
    autocomplete_fields = ["region", "kanwil"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            _("Peran di portal"),
            {"fields": ["role", "region", "kanwil", "is_kanwil_admin", "nip", "position"]},
        ),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Peran di portal"), {"fields": ["role", "region", "kanwil"]}),
    )
    actions = ["remove_second_factor", "unlock_login"]

    def save_model(self, request, obj, form, change):
        # Unticking or ticking "active" is a deactivation or a reactivation, through the
        # service the portal's people pages use: sessions end, open invitations are revoked,
        # and the audit trail names the admin. The other fields are saved as they are.
        if not change or "is_active" not in form.changed_data:
            return super().save_model(request, obj, form, change)
        active = obj.is_active
        obj.is_active = not active
        super().save_model(request, obj, form, change)
        if active:
            people.reactivate(obj, by=request.user)
        else:
            people.deactivate(obj, by=request.user)

    @admin.action(description=_("Hapus verifikasi dua langkah (ponsel hilang)"))
    def remove_second_factor(self, request, queryset):
        for user in queryset:
            remove_second_factor(user, by=request.user)
        self.message_user(
            request,
            _("Verifikasi dua langkah dihapus; pengguna mendaftarkan ponselnya lagi saat masuk."),
        )

    @admin.action(description=_("Buka kunci masuk (terlalu banyak percobaan gagal)"))
    def unlock_login(self, request, queryset):
        for user in queryset:
            people.unlock_login(user, by=request.user)
        self.message_user(request, _("Kunci masuk dibuka."))


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "category", "from_package"]
    list_filter = ["category", "from_package"]
    search_fields = ["name"]
    date_hierarchy = "date"
    # Any row an admin saves becomes the admin's: the service sets it, the form cannot.
    readonly_fields = ["from_package"]

    def save_model(self, request, obj, form, change):
        # The service marks the row as the admin's (the next sync leaves it alone), writes
        # the audit event and has the scores recomputed.
        save_holiday(obj, by=request.user)

    def delete_model(self, request, obj):
        delete_holiday(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        delete_holidays(queryset, by=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "object_repr", "actor"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "action", "object_type", "object_id", "object_repr", "details"]
    readonly_fields = fields


@admin.register(AccountImport)
class AccountImportAdmin(ReadOnlyAdmin):
    """Uploaded accounts files; previewed and committed on the portal's import page."""

    list_display = ["file_name", "status", "created_by", "created_at", "committed_at"]
    list_filter = ["status"]
    exclude = ["rows"]
