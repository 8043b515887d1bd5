"""Extension requests on the officer's pages: what was asked, what was decided, and the form.

The page passes what it already knows (its period rows, or its report and deadline), so the
box costs one query at most: the requests themselves (reporting.asked).
"""

from django import template

from ..asked import extension_requests_of
from ..models import ExtensionRequestStatus, ReportStatus

register = template.Library()

SENT = (ReportStatus.SUBMITTED, ReportStatus.VERIFIED)


def may_ask(period, report, deadline, pending):
    """Open (not past the later of closing and the current due date), not sent, none pending."""
    return (
        (report is None or report.status not in SENT)
        and period.pk not in pending
        and period.opens_on <= deadline.today <= deadline.closes_on
    )


@register.inclusion_tag("reporting/_extensions.html", takes_context=True)
def extension_box(context, region, rows=None, period=None, report=None, deadline=None):
    """On the officer's home (its period rows) or a report page (its period and deadline)."""
    request = context["request"]
    if rows is not None:
        cases = [(row.period, row.report, row.deadline) for row in rows if row.required_actions]
    else:
        cases = [(period, report, deadline)]
    periods = {case[0].pk: case[0] for case in cases}
    requests = extension_requests_of(region, periods)
    for extension_request in requests:
        extension_request.period = periods[extension_request.period_id]  # already at hand
    pending = {r.period_id for r in requests if r.status == ExtensionRequestStatus.PENDING}
    user = request.user
    officer_here = user.is_officer and user.region_id == region.pk
    open_periods = [case[0] for case in cases if officer_here and may_ask(*case, pending)]
    return {
        "requests": requests,
        "open_periods": open_periods,
        "next": request.get_full_path(),
        "single": rows is None,
    }
