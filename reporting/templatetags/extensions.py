"""Extension requests on the officer's pages: what was asked, what was decided, and the form."""

from django import template

from ..forms import ExtensionRequestForm
from ..models import (
    ActionMeasure,
    Extension,
    ExtensionRequest,
    ExtensionRequestStatus,
    Report,
    ReportStatus,
)

register = template.Library()


def requestable_periods(region, periods, today):
    """Periods the region may still ask more time for: open, assigned, not yet sent, none
    pending."""
    periods = list(periods)
    assigned = set(
        ActionMeasure.objects.filter(period__in=periods, action__assignments__region=region)
        .values_list("period_id", flat=True)
        .distinct()
    )
    sent = set(
        Report.objects.filter(
            region=region,
            period__in=periods,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.VERIFIED],
        ).values_list("period_id", flat=True)
    )
    pending = set(
        ExtensionRequest.objects.filter(
            region=region, period__in=periods, status=ExtensionRequestStatus.PENDING
        ).values_list("period_id", flat=True)
    )
    extended = Extension.objects.filter(region=region, period__in=periods).due_dates()
    return [
        period
        for period in periods
        if period.pk in assigned
        and period.pk not in sent
        and period.pk not in pending
        and period.opens_on
        <= today
        <= max(period.closes_on, extended.get((region.pk, period.pk), period.due_on))
    ]


@register.inclusion_tag("reporting/_extensions.html", takes_context=True)
def extension_box(context, region, period=None, cycle=None):
    """On the report page (one period) or the officer's home (the cycle's periods)."""
    request = context["request"]
    periods = [period] if period is not None else list(cycle.periods.all()) if cycle else []
    requests = list(
        ExtensionRequest.objects.filter(region=region, period__in=periods).select_related(
            "period", "decided_by"
        )
    )
    can_request = request.user.is_officer and request.user.region_id == region.pk
    open_periods = requestable_periods(region, periods, region.today()) if can_request else []
    return {
        "requests": requests,
        "open_periods": open_periods,
        "form": ExtensionRequestForm(),
        "next": request.get_full_path(),
        "region": region,
        "single": period is not None,
    }
