"""What the Kanwil's page of extension requests shows, laid out before the template runs.

A Kanwil can have a request waiting from each of its regions (forty and more on a deadline
day), and each card has two forms. Through Django's template engine a card cost two URL
reversals, two CSRF tokens, a translated sentence and three dates formatted through filters:
most of the page's time. Here each value is worked out once per card, into plain values that
the Jinja2 macros (jinja2/reporting/_extension_requests.html) only print, autoescaped.

The requests themselves are read as the few columns the page shows (requests_on_screen), not
as model instances with their region and two whole users: compiling the sixty columns of that
join and building its two hundred instances cost more than the rest of the page.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.templatetags.moments import format_moment, iso_moment

from .cycles import periods_by_pk
from .edit_screen import url_by_id
from .models import ExtensionRequestStatus, Period

# The dates as the page always wrote them ("Senin, 15 Desember 2025", "8 Desember 2025",
# "15 Des 2025"), in the language of the request.
ASKED_FORMAT = "l, j F Y"
PERIOD_DUE_FORMAT = "j F Y"
SHORT_FORMAT = "j M Y"

DECIDED_SHOWN = 30


class Person(NamedTuple):
    """A requester or decider read as three columns, named by the model's own rule."""

    username: str
    first_name: str
    last_name: str

    get_full_name = User.get_full_name
    shown_name = User.shown_name


class WaitingRequest(NamedTuple):
    """What a card shows of a pending request."""

    pk: int
    region_code: str
    region_name: str
    time_zone: str  # the region's
    period_id: int
    due_on: datetime.date
    reason: str
    created_at: datetime.datetime
    requester: str
    period: Period | None = None  # with its cycle


class DecidedRequest(NamedTuple):
    """What the table shows of a decided request."""

    region_name: str
    period_id: int
    due_on: datetime.date
    status: str
    granted_due_on: datetime.date | None
    decision_reason: str
    decider: str
    period: Period | None = None  # with its cycle


WAITING_COLUMNS = (
    "pk",
    "region__code",
    "region__name",
    "region__time_zone",
    "period_id",
    "due_on",
    "reason",
    "created_at",
    "requested_by__username",
    "requested_by__first_name",
    "requested_by__last_name",
)
DECIDED_COLUMNS = (
    "region__name",
    "period_id",
    "due_on",
    "status",
    "granted_due_on",
    "decision_reason",
    "decided_by__username",
    "decided_by__first_name",
    "decided_by__last_name",
)


def _shown_name(username, first_name, last_name):
    return Person(username, first_name, last_name).shown_name if username is not None else ""


def requests_on_screen(requests):
    """(waiting, decided) of these requests (a queryset): all the pending ones, then the latest
    decided ones, as rows of the values the page shows; two queries, and the cached periods."""
    pending = ExtensionRequestStatus.PENDING
    waiting = [
        WaitingRequest(*values[:-3], _shown_name(*values[-3:]))
        for values in requests.filter(status=pending).values_list(*WAITING_COLUMNS)
    ]
    latest = requests.exclude(status=pending).values_list(*DECIDED_COLUMNS)[:DECIDED_SHOWN]
    decided = [DecidedRequest(*values[:-3], _shown_name(*values[-3:])) for values in latest]
    periods = periods_by_pk(r.period_id for r in waiting + decided)
    return (
        [r._replace(period=periods[r.period_id]) for r in waiting],
        [r._replace(period=periods[r.period_id]) for r in decided],
    )


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


class _Moments:
    """(text, ISO) of moments, formatted once per minute and zone (in the one language of this
    page): both show no seconds, and requests sent on a deadline day share many minutes."""

    def __init__(self):
        self.drawn = {}

    def __call__(self, value, time_zone):
        key = (value.replace(second=0, microsecond=0), time_zone)
        if key not in self.drawn:
            self.drawn[key] = (format_moment(value, time_zone), iso_moment(value, time_zone))
        return self.drawn[key]


def pending_cards(requests):
    """The cards of these waiting requests (requests_on_screen's rows)."""
    dates, moments = _Dates(), _Moments()
    decide_url = url_by_id("reporting:extension-decide")
    asked = _("Meminta batas sampai %(date)s (batas periode %(due)s)")
    cards = []
    for r in requests:
        created, created_iso = moments(r.created_at, r.time_zone)
        cards.append(
            PendingCard(
                pk=r.pk,
                code=r.region_code,
                heading=f"{r.region_name} · {r.period}",
                asked=asked
                % {
                    "date": dates(r.due_on, ASKED_FORMAT),
                    "due": dates(r.period.due_on, PERIOD_DUE_FORMAT),
                },
                reason=r.reason,
                requester=r.requester,
                created=created,
                created_iso=created_iso,
                action=decide_url(r.pk),
                due_value=r.due_on.isoformat(),
            )
        )
    return cards


def decided_rows(requests):
    """The table's rows of these decided requests (requests_on_screen's rows)."""
    dates = _Dates()
    return [
        DecidedRow(
            region=r.region_name,
            period=str(r.period),
            asked=dates(r.due_on, SHORT_FORMAT),
            status=str(ExtensionRequestStatus(r.status).label),
            granted=dates(r.granted_due_on, SHORT_FORMAT),
            decision_reason=r.decision_reason,
            decided_by=r.decider,
        )
        for r in requests
    ]
