"""Times on screen (DESIGN section 8): one format, in a zone the template names.

``{{ report.first_submitted_at|moment:report.region.zone }}`` prints
"Senin, 30 November 2026 pukul 04.00 WITA" ("Monday, 30 November 2026 at 04.00 WITA");
In HTML the text is wrapped in ``<time datetime="2026-11-30T04:00+08:00">`` (escaped);
``{{ value|moment_date:zone }}`` prints the day only. The zone is always explicit: a region
(or anything with a ``zone``), a ``ZoneInfo`` or a zone name. ``{% viewer_zone as zone %}``
gives the zone of the person looking (``accounts.days.user_zone``) for pages about no one
region.
"""

import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.days import ministry_zone, user_zone, zone_abbreviation

register = template.Library()

DAY_FORMAT = "l, j F Y"
TIME_FORMAT = "H.i"


def as_zone(zone):
    """A ZoneInfo from a zone, a zone name, or an object with a ``zone`` (region, Kanwil)."""
    if isinstance(zone, datetime.tzinfo):
        return zone
    if isinstance(zone, str) and zone:
        return ZoneInfo(zone)
    found = getattr(zone, "zone", None)
    if isinstance(found, datetime.tzinfo):
        return found
    raise template.TemplateSyntaxError(f"moment needs a time zone, got {zone!r}")


def format_moment(value, zone):
    """An aware datetime as "Senin, 30 November 2026 pukul 04.00 WITA" in ``zone``."""
    zone = as_zone(zone)
    local = timezone.localtime(value, zone)
    return _("%(day)s pukul %(time)s %(zone)s") % {
        "day": dateformat.format(local, DAY_FORMAT),
        "time": dateformat.format(local, TIME_FORMAT),
        "zone": zone_abbreviation(zone),
    }


def format_day(value, zone=None):
    """A date, or an aware datetime's date in ``zone``, as "Senin, 30 November 2026"."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, as_zone(zone)).date()
    return dateformat.format(value, DAY_FORMAT)


def iso_moment(value, zone):
    """The same instant as ISO 8601 with the zone's offset, for ``<time datetime>``."""
    return timezone.localtime(value, as_zone(zone)).isoformat(timespec="minutes")


@register.filter(needs_autoescape=True)
def moment(value, zone, autoescape=True):
    """In HTML, the text inside ``<time datetime="...">`` so that a machine (the page
    crawler, a screen reader, a browser extension) reads the exact instant; in plain text
    (mail, ``autoescape off``) the text alone."""
    if value in (None, ""):
        return ""
    text = format_moment(value, zone)
    if not autoescape:
        return text
    return format_html('<time datetime="{}">{}</time>', iso_moment(value, zone), text)


@register.filter
def moment_date(value, zone=None):
    if value in (None, ""):
        return ""
    return format_day(value, zone)


@register.simple_tag(takes_context=True)
def viewer_zone(context):
    """The zone of whoever looks at the page: their region's, Kanwil seat's, or WIB."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return user_zone(user) if user is not None else ministry_zone()
