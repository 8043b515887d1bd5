"""Extension requests on the officer's pages: what was asked, what was decided, and the form.

The page passes what it already knows (its period rows, or its report and deadline), so the
box costs one query at most: the requests themselves (reporting.asked).

On the Kanwil's page of requests, the cards and the decided rows are drawn by Jinja2 macros
(jinja2/reporting/_extension_requests.html) from the rows reporting.extension_screen reads.
"""

from django import template

from .. import extension_screen
from ..asked import extension_requests_of
from ..fragments import macro
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


@register.simple_tag
def pending_request_cards(requests, csrf_token):
    """``{% pending_request_cards pending csrf_token %}``: a card with both forms per waiting
    request (extension_screen.requests_on_screen's rows)."""
    cards = extension_screen.pending_cards(requests)
    return macro("reporting/_extension_requests.html", "pending_cards")(cards, str(csrf_token))


@register.simple_tag
def decided_request_rows(requests):
    """``{% decided_request_rows decided %}``: the table rows of these decided requests
    (extension_screen.requests_on_screen's rows)."""
    rows = extension_screen.decided_rows(requests)
    return macro("reporting/_extension_requests.html", "decided_rows")(rows)
