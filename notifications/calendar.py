"""The officer's private deadline calendar (iCalendar): each period's deadline for the
region at 23.59 in the region's zone (DESIGN section 5: the end of the due date there), moved
by an extension when one is granted, with alarms 3 days and 1 day before, and pending
requests mentioned. The zone travels with the feed (VTIMEZONE), so Google Calendar, Outlook
and Apple Calendar show the same minute wherever the phone is."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from accounts.templatetags.moments import format_moment
from reporting.models import Extension, ExtensionRequest, ExtensionRequestStatus, Period

ALARM_DAYS = (3, 1)


def deadline_moment(region, due_on):
    """The last minute of the due date in the region's zone."""
    return datetime.datetime.combine(due_on, datetime.time(23, 59), tzinfo=region.zone)


def deadline_calendar(region, language=None):
    language = language or settings.LANGUAGE_CODE
    periods = list(
        Period.objects.filter(actions_in_period_for(region)).select_related("cycle").distinct()
    )
    extensions = Extension.objects.filter(region=region, period__in=periods).due_dates()
    pending = {
        r.period_id: r
        for r in ExtensionRequest.objects.filter(
            region=region, period__in=periods, status=ExtensionRequestStatus.PENDING
        )
    }
    calendar = Calendar()
    calendar.add("prodid", "-//Portal Aksi HAM//Batas lapor//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-timezone", region.time_zone)
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    with translation.override(language):
        calendar.add("x-wr-calname", _("Batas lapor RANHAM %(region)s") % {"region": region.name})
        for period in periods:
            due_on = extensions.get((region.pk, period.pk), period.due_on)
            extended = (region.pk, period.pk) in extensions
            deadline = deadline_moment(region, due_on)
            event = Event()
            event.add("uid", f"ranham-{region.code}-{period.pk}@portal")
            summary = _("Batas lapor %(period)s") % {"period": period}
            if extended:
                summary += " " + _("(diperpanjang)")
            event.add("summary", summary)
            # A moment, not a day: the deadline ends at 23.59 in the region's own zone.
            event.add("dtstart", deadline)
            event.add("dtend", deadline + datetime.timedelta(minutes=1))
            event.add("dtstamp", stamp)
            event.add("transp", "TRANSPARENT")
            url = settings.SITE_URL + reverse("reporting:report-edit", args=[period.pk])
            event.add("url", url)
            description = [
                _("Batas: %(deadline)s") % {"deadline": format_moment(deadline, region)},
                url,
            ]
            if period.pk in pending:
                description.insert(
                    1,
                    _("Permintaan perpanjangan sampai %(date)s menunggu keputusan.")
                    % {"date": pending[period.pk].due_on.isoformat()},
                )
            event.add("description", "\n".join(description))
            for days in ALARM_DAYS:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("trigger", datetime.timedelta(days=-days))
                alarm.add(
                    "description",
                    _("%(summary)s: %(days)s hari lagi") % {"summary": summary, "days": days},
                )
                event.add_component(alarm)
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def actions_in_period_for(region):
    from django.db.models import Q

    return Q(measures__action__assignments__region=region)
