from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Holiday, Kanwil, KanwilProvince, Region, User


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
    list_filter = ["role", "is_active", "kanwil"]
    search_fields = ["username", "first_name", "last_name", "email", "region__name"]
    list_select_related = ["region", "kanwil"]
    autocomplete_fields = ["region", "kanwil"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Peran di portal"), {"fields": ["role", "region", "kanwil"]}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Peran di portal"), {"fields": ["role", "region", "kanwil"]}),
    )


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "category", "from_package"]
    list_filter = ["category", "from_package"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        # An admin's correction must survive the next sync from the package.
        obj.from_package = False
        super().save_model(request, obj, form, change)
