"""What the Kanwil's page of extension requests shows, laid out before the template runs.

A Kanwil can have a request waiting from each of its regions (forty and more on a deadline
day), and each card has two forms. Through Django's template engine a card cost two URL
reversals, two CSRF tokens, a translated sentence and three dates formatted through filters:
most of the page's time. Here each value is worked out once per card, into plain values that
the Jinja2 macros (jinja2/reporting/_extension_requests.html) only print, autoescaped.
"""

from dataclasses import dataclass

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _

from accounts.templatetags.moments import format_moment, iso_moment

from .edit_screen import url_by_id

# The dates as the page always wrote them ("Senin, 15 Desember 2025", "8 Desember 2025",
# "15 Des 2025"), in the language of the request.
ASKED_FORMAT = "l, j F Y"
PERIOD_DUE_FORMAT = "j F Y"
SHORT_FORMAT = "j M Y"


@dataclass
class PendingCard:
    """A request waiting for the Kanwil: what was asked, by whom, and the two forms."""

    pk: int
    code: str  # the region's code: the card's test id
    heading: str  # "Kota Balikpapan · Triwulan IV 2025"
    asked: str  # "Meminta batas sampai ... (batas periode ...)"
    reason: str
    requester: str
    created: str  # when it was asked, in the region's zone
    created_iso: str  # the same instant for <time datetime>
    action: str  # the decision's URL
    due_value: str  # the asked date as the date input's value


@dataclass
class DecidedRow:
    """A decided request in the table below the cards."""

    region: str
    period: str
    asked: str
    status: str
    granted: str
    decision_reason: str
    decided_by: str


def _name(user):
    return user.shown_name if user is not None else ""


class _Dates:
    """Dates formatted once per value and format: the cards of one period share most."""

    def __init__(self):
        self.drawn = {}

    def __call__(self, value, fmt):
        if value is None:
            return ""
        key = (value, fmt)
        if key not in self.drawn:
            self.drawn[key] = date_filter(value, fmt)
        return self.drawn[key]


def pending_cards(requests):
    """The cards of these pending requests (with their region, period and requester)."""
    dates = _Dates()
    decide_url = url_by_id("reporting:extension-decide")
    cards = []
    for r in requests:
        region, period = r.region, r.period
        cards.append(
            PendingCard(
                pk=r.pk,
                code=region.code,
                heading=f"{region.name} · {period}",
                asked=_("Meminta batas sampai %(date)s (batas periode %(due)s)")
                % {
                    "date": dates(r.due_on, ASKED_FORMAT),
                    "due": dates(period.due_on, PERIOD_DUE_FORMAT),
                },
                reason=r.reason,
                requester=_name(r.requested_by),
                created=format_moment(r.created_at, region),
                created_iso=iso_moment(r.created_at, region),
                action=decide_url(r.pk),
                due_value=r.due_on.isoformat(),
            )
        )
    return cards


def decided_rows(requests):
    """The table's rows of these decided requests (with their region, period and decider)."""
    dates = _Dates()
    return [
        DecidedRow(
            region=r.region.name,
            period=str(r.period),
            asked=dates(r.due_on, SHORT_FORMAT),
            status=r.get_status_display(),
            granted=dates(r.granted_due_on, SHORT_FORMAT),
            decision_reason=r.decision_reason,
            decided_by=_name(r.decided_by),
        )
        for r in requests
    ]
