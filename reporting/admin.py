from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import ReadOnlyAdmin
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
from .services import (
    CYCLE_RULE_FIELDS,
    PERIOD_DATE_FIELDS,
    assign_actions,
    change_cycle_rules,
    change_period_dates,
    generate_periods,
    grant_extension,
    unassign,
    withdraw_extension,
)

# The Django admin is a window onto the services: what moves a score here goes through the
# same service as anywhere else, which writes the audit event and has the scores recomputed.


def save_period(request, period, changed_data):
    """Save an edited period: its dates through the service, its names directly."""
    names = {f.name for f in period._meta.concrete_fields}
    dates = {n: getattr(period, n) for n in changed_data if n in PERIOD_DATE_FIELDS}
    others = [n for n in changed_data if n in names and n not in PERIOD_DATE_FIELDS]
    if others:
        period.save(update_fields=others)
    if dates:
        change_period_dates(period, by=request.user, **dates)


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

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        rules = {n: form.cleaned_data[n] for n in form.changed_data if n in CYCLE_RULE_FIELDS}
        others = [n for n in form.changed_data if n not in CYCLE_RULE_FIELDS]
        if others:
            obj.save(update_fields=[*others, "updated_at"])
        if rules:
            change_cycle_rules(obj, by=request.user, **rules)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Period:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        for period in formset.deleted_objects:
            period.delete()
        for period in formset.new_objects:
            period.save()
        for period, changed_data in formset.changed_objects:
            save_period(request, period, changed_data)

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

    def save_model(self, request, obj, form, change):
        if change:
            save_period(request, obj, form.changed_data)
        else:
            super().save_model(request, obj, form, change)


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
        assign_actions(queryset, Region.objects.all(), by=request.user)
        self.message_user(
            request,
            _("Penugasan diperbarui untuk %(count)d aksi.") % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @transaction.atomic
    def delete_model(self, request, obj):
        # The assignments go with the action: through the service, so the scores follow.
        unassign(obj.assignments.all(), by=request.user)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        unassign(Assignment.objects.filter(action__in=queryset), by=request.user)
        super().delete_queryset(request, queryset)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["region", "action"]
    list_filter = ["action__cycle", "action__target_group", "region__level"]
    search_fields = ["region__name", "region__code", "action__title"]
    list_select_related = ["region", "action"]
    autocomplete_fields = ["region"]

    def has_change_permission(self, request, obj=None):
        # Moving an assignment is removing one and adding another: two audited changes.
        return False

    def save_model(self, request, obj, form, change):
        assign_actions([obj.action], [obj.region], by=request.user)
        obj.pk = Assignment.objects.get(action=obj.action, region=obj.region).pk

    def delete_model(self, request, obj):
        unassign([obj], by=request.user)

    def delete_queryset(self, request, queryset):
        unassign(queryset, by=request.user)


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
class ReportAdmin(ReadOnlyAdmin):
    # States change only through the portal's services, which write the audit trail.
    list_display = ["region", "period", "status", "first_submitted_at", "verified_at"]
    list_filter = ["status", "period__cycle", "period", "region__level"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["region", "period__cycle"]
    inlines = [ReportEntryInline, ReportEventInline]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "report", "requirement", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256", "report__region__name"]
    list_select_related = ["report__region", "report__period__cycle", "requirement"]
    # No file link: evidence is served only by the permission-checked view.
    fields = [
        "report",
        "requirement",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "removed_by",
        "removed_at",
    ]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["region", "period", "due_on", "granted_by", "created_at"]
    list_filter = ["period__cycle", "period"]
    search_fields = ["region__name", "reason"]
    list_select_related = ["region", "period__cycle", "granted_by"]
    autocomplete_fields = ["region"]
    exclude = ["granted_by"]

    def get_readonly_fields(self, request, obj=None):
        # An extension belongs to one region and period: another pair is another extension.
        return ["region", "period"] if obj else []

    def save_model(self, request, obj, form, change):
        extension = grant_extension(
            obj.region, obj.period, due_on=obj.due_on, reason=obj.reason, by=request.user
        )
        obj.pk, obj.granted_by = extension.pk, extension.granted_by

    def delete_model(self, request, obj):
        withdraw_extension(obj, by=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for extension in queryset.select_related("region", "period__cycle"):
            withdraw_extension(extension, by=request.user)


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "report", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind"]
    search_fields = ["report__region__name", "reason"]
    list_select_related = ["report__region", "report__period__cycle", "actor"]


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "submitted_at", "submitted_by"]
    list_select_related = ["report__region", "report__period__cycle", "submitted_by"]
