"""The Kanwil's morning word on readiness: in the two weeks before a period opens, at 08.00
of the Kanwil seat's zone, its evaluators hear which of its regions have no active officer
yet (nobody at all, or invited but not yet activated), with a link to the board.

One notice per evaluator, Kanwil and day (the notice's and send log's key), so a second run
of the hour, or a missed beat caught up later that morning, sends nothing more.
"""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.board import State, annotated
from accounts.models import Kanwil, Region
from reporting.models import Period

from .compose import day_text
from .models import Kind
from .recipients import evaluators_in_zones, kanwil_zones
from .services import notify

DAYS_BEFORE = 14
LISTED = 30  # regions named in the message; the rest are counted and on the board


def upcoming_period(today, periods):
    """The first period that opens within DAYS_BEFORE days after ``today``, or None."""
    for period in periods:
        if 0 < (period.opens_on - today).days <= DAYS_BEFORE:
            return period
    return None


def readiness_digests(zones, now):
    """For each Kanwil whose seat's 08.00 is now: the regions without an active officer when
    a period opens within two weeks. Returns how many notices were made."""
    seats = kanwil_zones()
    todays = {
        kanwil_id: timezone.localtime(now, ZoneInfo(zone)).date()
        for kanwil_id, zone in seats.items()
        if zone in zones
    }
    if not todays:
        return 0
    periods = list(
        Period.objects.filter(
            opens_on__gt=min(todays.values()),
            opens_on__lte=max(todays.values()) + datetime.timedelta(days=DAYS_BEFORE),
        )
        .select_related("cycle")
        .order_by("opens_on", "pk")
    )
    due = {k: p for k, today in todays.items() if (p := upcoming_period(today, periods))}
    if not due:
        return 0
    missing = defaultdict(list)
    regions = (
        annotated(Region.objects.filter(province__kanwil_link__kanwil_id__in=list(due)))
        .exclude(board_state=State.ACTIVE)
        .select_related("province__kanwil_link")
        .order_by("code")
    )
    for region in regions:
        missing[region.province.kanwil_link.kanwil_id].append(region)
    evaluators = evaluators_in_zones(zones)
    kanwils = Kanwil.objects.in_bulk(list(due))
    made = 0
    for kanwil_id, period in due.items():
        if not missing[kanwil_id] or not evaluators.get(kanwil_id):
            continue
        made += len(
            notify(
                evaluators[kanwil_id],
                Kind.READINESS,
                kanwils[kanwil_id],
                compose(period, missing[kanwil_id]),
                occasion=todays[kanwil_id].isoformat(),
            )
        )
    return made


def compose(period, regions):
    def composed(user):
        count = len(regions)
        title = ngettext(
            "%(n)s wilayah belum punya petugas aktif; %(period)s dibuka %(day)s",
            "%(n)s wilayah belum punya petugas aktif; %(period)s dibuka %(day)s",
            count,
        ) % {"n": count, "period": period, "day": day_text(period.opens_on)}
        lines = [
            _("%(code)s %(name)s: %(state)s")
            % {"code": r.code, "name": r.name, "state": State.LABELS[r.board_state]}
            for r in regions[:LISTED]
        ]
        if count > LISTED:
            lines.append(_("dan %(n)s wilayah lain.") % {"n": count - LISTED})
        lines.append(_("Undang petugasnya atau kirim ulang undangan dari papan kesiapan akun."))
        return title, "\n".join(lines), reverse("accounts:board")

    return composed
