"""The officer's private deadline calendar (iCalendar): each period's deadline for the
region, moved by an extension when one is granted, and pending requests as tentative."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from reporting.models import Extension, ExtensionRequest, ExtensionRequestStatus, Period


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
    calendar.add("x-wr-timezone", region.time_zone)
    with translation.override(language):
        calendar.add("x-wr-calname", _("Batas lapor RANHAM %(region)s") % {"region": region.name})
        for period in periods:
            due_on = extensions.get((region.pk, period.pk), period.due_on)
            extended = (region.pk, period.pk) in extensions
            event = Event()
            event.add("uid", f"ranham-{region.code}-{period.pk}@portal")
            summary = _("Batas lapor %(period)s") % {"period": period}
            if extended:
                summary += " " + _("(diperpanjang)")
            event.add("summary", summary)
            # The deadline is the end of the day in the region's zone: an all-day event.
            event.add("dtstart", due_on)
            event.add("dtend", due_on + datetime.timedelta(days=1))
            event.add("dtstamp", datetime.datetime.now(datetime.UTC))
            url = settings.SITE_URL + reverse("reporting:report-edit", args=[period.pk])
            event.add("url", url)
            description = [url]
            if period.pk in pending:
                description.insert(
                    0,
                    _("Permintaan perpanjangan sampai %(date)s menunggu keputusan.")
                    % {"date": pending[period.pk].due_on.isoformat()},
                )
            event.add("description", "\n".join(description))
            calendar.add_component(event)
    return calendar.to_ical()


def actions_in_period_for(region):
    from django.db.models import Q

    return Q(measures__action__assignments__region=region)
