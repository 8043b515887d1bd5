"""The deadline calendar: 23.59 in the region's zone, with its VTIMEZONE, alarms 3 days and
1 day before, extensions moving it; read back by two parsers (icalendar and vobject) as the
calendar apps would read it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from notifications.calendar import deadline_calendar
from reporting.services import grant_extension, request_extension

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")


def events_of(feed):
    return {str(event["uid"]): event for event in Calendar.from_ical(feed).walk("VEVENT")}


def test_the_deadline_is_2359_in_the_regions_zone_with_its_timezone(balikpapan, period_kaltim):
    # when
    feed = deadline_calendar(balikpapan, "id")

    # then: a moment at the end of the due date in WITA, not an all-day date
    [event] = events_of(feed).values()
    start = event.decoded("dtstart")
    assert start == datetime.datetime(2025, 10, 10, 23, 59, tzinfo=WITA)
    assert start.tzinfo.key == "Asia/Makassar"
    assert b"DTSTART;TZID=Asia/Makassar:20251010T235900" in feed
    # and the zone is defined in the feed itself, as Outlook needs
    [zone] = Calendar.from_ical(feed).walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Asia/Makassar"
    assert "pukul 23.59 WITA" in str(event["description"])


def test_each_deadline_has_alarms_three_days_and_one_day_before(balikpapan, period_kaltim):
    [event] = events_of(deadline_calendar(balikpapan, "id")).values()

    alarms = event.walk("VALARM")

    assert sorted(alarm.decoded("trigger") for alarm in alarms) == [
        datetime.timedelta(days=-3),
        datetime.timedelta(days=-1),
    ]
    assert all(str(alarm["action"]) == "DISPLAY" and alarm.get("description") for alarm in alarms)


def test_an_extension_moves_the_deadline_and_a_pending_request_is_mentioned(
    balikpapan, samarinda, period_kaltim, admin_user, officer_samarinda
):
    # given an extension for Balikpapan and a pending request for Samarinda
    grant_extension(
        balikpapan, period_kaltim, due_on=datetime.date(2025, 10, 17), reason="x", by=admin_user
    )
    request_extension(
        samarinda,
        period_kaltim,
        due_on=datetime.date(2025, 10, 20),
        reason="Banjir.",
        by=officer_samarinda,
        now=datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC),
    )

    # then
    [moved] = events_of(deadline_calendar(balikpapan, "id")).values()
    assert moved.decoded("dtstart") == datetime.datetime(2025, 10, 17, 23, 59, tzinfo=WITA)
    assert "diperpanjang" in str(moved["summary"])
    [waiting] = events_of(deadline_calendar(samarinda, "en")).values()
    assert waiting.decoded("dtstart") == datetime.datetime(2025, 10, 10, 23, 59, tzinfo=WITA)
    assert "2025-10-20" in str(waiting["description"])


def test_a_second_parser_reads_the_same_minute_and_alarms(balikpapan, period_kaltim):
    # when vobject (another implementation of RFC 5545) reads the feed
    parsed = vobject.readOne(deadline_calendar(balikpapan, "en").decode())

    # then it finds the same deadline, the zone's rules, and both alarms
    [event] = parsed.vevent_list
    assert event.dtstart.value == datetime.datetime(2025, 10, 10, 23, 59, tzinfo=WITA)
    assert event.dtstart.value.astimezone(datetime.UTC) == datetime.datetime(
        2025, 10, 10, 15, 59, tzinfo=datetime.UTC
    )
    assert parsed.vtimezone.tzid.value == "Asia/Makassar"
    assert sorted(alarm.trigger.value for alarm in event.valarm_list) == [
        datetime.timedelta(days=-3),
        datetime.timedelta(days=-1),
    ]
    # and every line holds the 75-octet limit that Google and Apple enforce
    raw = deadline_calendar(balikpapan, "en")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
