from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey

from .models import ApiKey
from .services import create_key, revoke_key

# The library's own key model is not used: the portal's keys carry a scope.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys of national systems: created and revoked through the audited services; the key
    is shown once, at creation, and kept only as a hash."""

    list_display = ["name", "prefix", "scope", "kanwil", "created", "expiry_date", "revoked"]
    list_filter = ["scope", "revoked"]
    search_fields = ["name", "prefix"]
    fields = ["name", "scope", "kanwil", "expiry_date"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "scope", "kanwil", "expiry_date"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        api_key, key = create_key(
            obj.name,
            scope=obj.scope,
            kanwil=obj.kanwil,
            expiry_date=obj.expiry_date,
            by=request.user,
        )
        obj.pk = api_key.pk
        messages.warning(
            request,
            _(
                "Kunci API untuk %(name)s: %(key)s. Simpan di tempat aman: kunci ini tidak akan "
                "ditampilkan lagi."
            )
            % {"name": api_key.name, "key": key},
        )

    @admin.action(description=_("Cabut kunci API terpilih"))
    def revoke(self, request, queryset):
        count = sum(revoke_key(api_key, by=request.user) for api_key in queryset)
        messages.success(request, _("%(count)d kunci dicabut.") % {"count": count})
