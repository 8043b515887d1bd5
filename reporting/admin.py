from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Region

from .models import (
    Action,
    ActionMeasure,
    Assignment,
    Evidence,
    EvidenceRequirement,
    Extension,
    Period,
    Report,
    ReportEntry,
    ReportEvent,
    ReportingCycle,
    ReportVersion,
)
from .services import generate_periods


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0


@admin.register(ReportingCycle)
class ReportingCycleAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "name",
        "scheme",
        "weight_completeness",
        "weight_timeliness",
        "weight_responsiveness",
    ]
    list_filter = ["scheme"]
    search_fields = ["name", "year"]
    inlines = [PeriodInline]
    actions = ["generate_periods_action"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new cycle without periods typed in gets its scheme's periods at once.
        if not change and not form.instance.periods.exists():
            generate_periods(form.instance)

    @admin.action(description=_("Buat periode sesuai skema"))
    def generate_periods_action(self, request, queryset):
        count = sum(len(generate_periods(cycle)) for cycle in queryset)
        self.message_user(
            request,
            ngettext("%(count)d periode dibuat.", "%(count)d periode dibuat.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "starts_on", "ends_on", "opens_on", "due_on", "closes_on"]
    list_filter = ["cycle"]
    search_fields = ["code", "name"]
    list_select_related = ["cycle"]


class EvidenceRequirementInline(admin.TabularInline):
    model = EvidenceRequirement
    extra = 1


@admin.register(ActionMeasure)
class ActionMeasureAdmin(admin.ModelAdmin):
    list_display = ["action", "period", "measure"]
    list_filter = ["period__cycle", "period", "action__target_group"]
    search_fields = ["measure", "action__title"]
    list_select_related = ["action", "period__cycle"]
    inlines = [EvidenceRequirementInline]


class ActionMeasureInline(admin.StackedInline):
    model = ActionMeasure
    extra = 0
    show_change_link = True


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "target_group", "cycle", "assigned_regions"]
    list_filter = ["cycle", "target_group"]
    search_fields = ["title", "success_criterion"]
    list_select_related = ["cycle"]
    inlines = [ActionMeasureInline]
    actions = ["assign_to_all_regions"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(assigned=Count("assignments"))

    @admin.display(description=_("daerah ditugaskan"), ordering="assigned")
    def assigned_regions(self, obj):
        return obj.assigned

    @admin.action(description=_("Tugaskan ke semua daerah (552 Pemda)"))
    def assign_to_all_regions(self, request, queryset):
        regions = list(Region.objects.all())
        created = 0
        for action in queryset:
            created += len(
                Assignment.objects.bulk_create(
                    [Assignment(action=action, region=region) for region in regions],
                    ignore_conflicts=True,
                )
            )
        self.message_user(
            request,
            _("Penugasan diperbarui untuk %(count)d aksi.") % {"count": queryset.count()},
            messages.SUCCESS,
        )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["region", "action"]
    list_filter = ["action__cycle", "action__target_group", "region__level"]
    search_fields = ["region__name", "region__code", "action__title"]
    list_select_related = ["region", "action"]
    autocomplete_fields = ["region"]


class ReportEntryInline(admin.TabularInline):
    model = ReportEntry
    extra = 0
    fields = ["action", "progress", "narrative"]
    readonly_fields = fields
    can_delete = False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["region", "period", "status", "first_submitted_at", "verified_at"]
    list_filter = ["status", "period__cycle", "period", "region__level"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["region", "period__cycle"]
    # States change only through the portal's services, which write the audit trail.
    readonly_fields = [
        "region",
        "period",
        "status",
        "first_submitted_at",
        "last_submitted_at",
        "verified_at",
        "revision",
    ]
    inlines = [ReportEntryInline, ReportEventInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "requirement", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256", "report__region__name"]
    list_select_related = ["report__region", "report__period__cycle", "requirement"]
    readonly_fields = [
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["region", "period", "due_on", "granted_by", "created_at"]
    list_filter = ["period__cycle", "period"]
    search_fields = ["region__name", "reason"]
    list_select_related = ["region", "period__cycle", "granted_by"]
    autocomplete_fields = ["region"]
    exclude = ["granted_by"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "report", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind"]
    search_fields = ["report__region__name", "reason"]
    list_select_related = ["report__region", "report__period__cycle", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    list_display = ["report", "number", "submitted_at", "submitted_by"]
    list_select_related = ["report__region", "report__period__cycle", "submitted_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
