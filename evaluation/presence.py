"""Who has a report's review screen open: a note in the cache that expires, never a row.

Opening the review screen is a read and writes nothing to the database. The note only feeds
the "someone else is looking at this report" notices; who reviewed is recorded by the first
decision (``Review.opened_by``).
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from reporting.models import ReportStatus

OPEN_FOR = datetime.timedelta(minutes=30)
"""How long a note lasts after the screen was last opened by its holder."""


@dataclass(frozen=True)
class Viewer:
    """The evaluator who first opened a round of a report and still has it open."""

    round: int
    user_id: int
    name: str
    since: datetime.datetime


def _key(report_id):
    return f"review-open:{report_id}"


def _viewer(found):
    return Viewer(**found) if found else None


def note_open(report, *, round, user, now=None):
    """Note that ``user`` has the round open; returns who else opened it first, if anyone.

    The first to open a round holds the note; each of their visits keeps it alive. Another
    evaluator's visit leaves it as it is and is told who holds it.
    """
    mine = {
        "round": round,
        "user_id": user.pk,
        "name": user.shown_name,
        "since": now or timezone.now(),
    }
    key, timeout = _key(report.pk), OPEN_FOR.total_seconds()
    # Read first: the holder reloading the screen, the usual visit, then costs a read and a
    # touch. Adding stays the way to take a free note, so that of two first visits one wins.
    found = cache.get(key)
    if found is None:
        if cache.add(key, mine, timeout):
            return None
        found = cache.get(key)
    if found is None or found["round"] != round:
        cache.set(key, mine, timeout)
        return None
    if found["user_id"] == user.pk:
        cache.touch(key, timeout)
        return None
    return _viewer(found)


def opened_since(report, *, round, user):
    """When ``user`` opened the round, if the note is theirs; else None."""
    found = _viewer(cache.get(_key(report.pk)))
    if found and found.round == round and found.user_id == user.pk:
        return found.since
    return None


def forget(report_id):
    cache.delete(_key(report_id))


def open_by_others(reports, user):
    """{report id: Viewer} of the waiting reports that someone other than ``user`` has open.

    A note from an earlier round predates the report's last submission and is ignored, so
    this needs no query.
    """
    waiting = [r for r in reports if r.status == ReportStatus.SUBMITTED and r.last_submitted_at]
    found = cache.get_many([_key(r.pk) for r in waiting])
    others = {}
    for report in waiting:
        viewer = _viewer(found.get(_key(report.pk)))
        if viewer and viewer.user_id != user.pk and viewer.since >= report.last_submitted_at:
            others[report.pk] = viewer
    return others
