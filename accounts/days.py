"""Whose "today": business dates are taken in the zone they concern, never the server's (UTC).

A region's day is its own zone's (a deadline, "late", "closed" for that region); everything
national (closed periods of the rankings, the awards' date, the nightly jobs' year) follows the
ministry's day in ``DISPLAY_TIME_ZONE`` (WIB).
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def ministry_zone():
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


def zone_abbreviation(zone):
    """'WIB', 'WITA' or 'WIT' for an Indonesian zone (name or ZoneInfo); else its name."""
    name = getattr(zone, "key", zone)
    return ZONE_ABBREVIATIONS.get(name, name)


def ministry_today(now=None):
    """The ministry's date at ``now`` (default: this moment)."""
    return timezone.localtime(now or timezone.now(), ministry_zone()).date()


def region_today(region, now=None):
    """The region's own date at ``now`` (default: this moment)."""
    return timezone.localtime(now or timezone.now(), region.zone).date()


def user_zone(user):
    """The zone a person's pages speak in (DESIGN section 8): an officer's region's, an
    evaluator's Kanwil seat's, and the ministry's for admins and the public."""
    if getattr(user, "is_officer", False) and user.region_id:
        return user.region.zone
    if getattr(user, "is_evaluator", False) and user.kanwil_id:
        return user.kanwil.zone
    return ministry_zone()


def user_today(user, now=None):
    """The person's own date, in the zone of `user_zone`."""
    return timezone.localtime(now or timezone.now(), user_zone(user)).date()
