"""The morning round: run every hour, it serves the people whose local day has reached
08.00 and whose round of that day has not run yet (MorningRound): at 08.xx as a rule, and at
the next beat of the same day when the 08.00 beat was missed (beat stopped, a worker down).

Officers follow their region's zone, evaluators their Kanwil seat's (accounts.days), admins
and evaluators without a Kanwil the ministry's. Every notice is keyed (services.notify) and
every digest keyed by the person's date, so a second run sends nothing.
"""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from accounts.days import ministry_zone
from accounts.models import Holiday, Region, Role, User
from evaluation.queues import review_wait_days
from evaluation.scoring import working_days_between
from reporting.models import (
    ActionMeasure,
    Extension,
    Period,
    Report,
    ReportStatus,
    RevisionRequest,
)

from . import compose
from .models import Channel, Kind, Mode, MorningRound, Notice, SendLog
from .recipients import kanwil_zones, zone_name_of
from .services import enqueue_new, notify

MORNING_HOUR = 8
DEADLINE_DAYS = (7, 3, 1, 0)
RETURN_REMINDER_WORKING_DAYS = 2
# A period announced on its first morning; a missed beat may still announce it a day later.
OPENING_GRACE_DAYS = 1
SENT = (ReportStatus.SUBMITTED, ReportStatus.VERIFIED)


def _local_day(now, zone):
    return timezone.localtime(now, ZoneInfo(zone)).date()


def zones_at_morning(now):
    """The zones (names) whose day has reached 08.00 and whose round of that day is not done:
    at 08.xx as a rule, later the same day when that beat was missed."""
    names = set(Region.objects.values_list("time_zone", flat=True).distinct())
    names.add(ministry_zone().key)
    morning = {z for z in names if timezone.localtime(now, ZoneInfo(z)).hour >= MORNING_HOUR}
    done = {
        (zone, day)
        for zone, day in MorningRound.objects.filter(zone__in=morning).values_list("zone", "day")
    }
    return sorted(z for z in morning if (z, _local_day(now, z)) not in done)


def holiday_dates():
    return frozenset(Holiday.objects.values_list("date", flat=True))


def run_morning(now):
    zones = zones_at_morning(now)
    if not zones:
        return {}
    counts = {
        "period_opened": period_opened(zones, now),
        "deadline": deadline_reminders(zones, now),
        "return_unanswered": return_unanswered(zones, now),
        "review_overdue": review_overdue(zones, now),
    }
    counts["digest"] = digests(zones, now)
    # Recorded only when everything ran: a round cut short is run again by the next beat.
    MorningRound.objects.bulk_create(
        [MorningRound(zone=z, day=_local_day(now, z), completed_at=now) for z in zones],
        ignore_conflicts=True,
    )
    return counts


def _officers_by_region(regions):
    grouped = defaultdict(list)
    for user in User.objects.filter(
        role=Role.OFFICER, is_active=True, region__in=regions
    ).select_related("region"):
        grouped[user.region_id].append(user)
    return grouped


def _live_periods(earliest):
    """Periods that may still concern a region on or after ``earliest``."""
    extended = Extension.objects.filter(due_on__gte=earliest).values("period_id")
    return list(
        Period.objects.filter(Q(closes_on__gte=earliest) | Q(pk__in=extended)).select_related(
            "cycle"
        )
    )


def _expected(periods, regions):
    """{period id: set of region ids that must report it} in one query."""
    expected = defaultdict(set)
    for period_id, region_id in (
        ActionMeasure.objects.filter(period__in=periods, action__assignments__region__in=regions)
        .values_list("period_id", "action__assignments__region_id")
        .distinct()
    ):
        expected[period_id].add(region_id)
    return expected


def _region_plan(zones, now):
    """(regions by id, their today, live periods, expected, extensions, reports) for the zones."""
    regions = {r.pk: r for r in Region.objects.filter(time_zone__in=zones)}
    todays = {pk: region.today(now) for pk, region in regions.items()}
    if not regions:
        return regions, todays, [], {}, {}, {}
    periods = _live_periods(min(todays.values()) - datetime.timedelta(days=1))
    expected = _expected(periods, regions.values())
    extensions = Extension.objects.filter(period__in=periods, region__in=regions).due_dates()
    reports = {
        (r.region_id, r.period_id): r
        for r in Report.objects.filter(period__in=periods, region__in=regions).only(
            "pk", "region_id", "period_id", "status"
        )
    }
    return regions, todays, periods, expected, extensions, reports


def period_opened(zones, now):
    regions, todays, periods, expected, extensions, reports = _region_plan(zones, now)
    officers = _officers_by_region(regions.values())
    sent = 0
    for period in periods:
        for region_id in expected[period.pk]:
            today = todays.get(region_id)
            if today is None:
                continue
            if not (
                period.opens_on <= today <= period.opens_on + datetime.timedelta(OPENING_GRACE_DAYS)
            ):
                continue
            report = reports.get((region_id, period.pk))
            if report is not None and report.status in SENT:
                continue
            region = regions[region_id]
            due_on = extensions.get((region_id, period.pk), period.due_on)
            sent += len(
                notify(
                    officers[region_id],
                    Kind.PERIOD_OPENED,
                    period,
                    compose.period_opened(period, region, due_on),
                    occasion=f"opened-{region.code}",
                )
            )
    return sent


def deadline_reminders(zones, now):
    """7, 3 and 1 days before the region's own deadline, and on the day, while not sent."""
    regions, todays, periods, expected, extensions, reports = _region_plan(zones, now)
    officers = _officers_by_region(regions.values())
    sent = 0
    for period in periods:
        for region_id in expected[period.pk]:
            today = todays.get(region_id)
            if today is None or today < period.opens_on:
                continue
            due_on = extensions.get((region_id, period.pk), period.due_on)
            days_left = (due_on - today).days
            if days_left not in DEADLINE_DAYS:
                continue
            report = reports.get((region_id, period.pk))
            if report is not None and report.status in SENT:
                continue
            region = regions[region_id]
            sent += len(
                notify(
                    officers[region_id],
                    Kind.DEADLINE,
                    period,
                    compose.deadline(period, region, due_on, days_left),
                    # A new due date (an extension) starts its own countdown.
                    occasion=f"d{days_left}-{due_on.isoformat()}",
                )
            )
    return sent


def return_unanswered(zones, now):
    """A return not answered after 2 working days in the region's zone: once per return."""
    holidays = holiday_dates()
    pending = RevisionRequest.objects.filter(
        answered_at__isnull=True,
        report__status=ReportStatus.RETURNED,
        report__region__time_zone__in=zones,
    ).select_related("report__region", "report__period__cycle")
    officers = _officers_by_region({r.report.region for r in pending})
    sent = 0
    for revision_request in pending:
        region = revision_request.report.region
        returned_on = timezone.localtime(revision_request.returned_at, region.zone).date()
        # Whole working days gone by: at 08.00 the day itself has barely begun.
        yesterday = region.today(now) - datetime.timedelta(days=1)
        waited = working_days_between(returned_on, yesterday, holidays).count
        if waited < RETURN_REMINDER_WORKING_DAYS:
            continue
        sent += len(
            notify(
                officers[region.pk],
                Kind.RETURN_UNANSWERED,
                revision_request,
                compose.return_unanswered(revision_request, waited),
                occasion="2wd",
            )
        )
    return sent


def review_overdue(zones, now):
    """Reports waiting past their cycle's service level, to the evaluators of the Kanwil,
    at 08.00 of the Kanwil's seat: once per submission round."""
    seats = kanwil_zones()
    kanwils = [k for k, zone in seats.items() if zone in zones]
    if not kanwils:
        return 0
    holidays = holiday_dates()
    evaluators = defaultdict(list)
    for user in User.objects.filter(role=Role.EVALUATOR, is_active=True, kanwil_id__in=kanwils):
        evaluators[user.kanwil_id].append(user)
    reports = Report.objects.filter(
        status=ReportStatus.SUBMITTED,
        region__province__kanwil_link__kanwil_id__in=kanwils,
    ).select_related("region__province__kanwil_link", "period__cycle")
    sent = 0
    for report in reports:
        kanwil_id = report.region.province.kanwil_link.kanwil_id
        waited = review_wait_days(report, report.region.today(now), holidays)
        if waited <= report.period.cycle.review_sla_days:
            continue
        sent += len(
            notify(
                evaluators[kanwil_id],
                Kind.REVIEW_OVERDUE,
                report,
                compose.review_overdue(report, waited),
                occasion=f"round-{report.last_submitted_at.isoformat()}",
            )
        )
    return sent


def morning_people(zones):
    """Active users whose 08.00 is now: officers by region, evaluators by seat, admins and
    evaluators without a Kanwil (or whose Kanwil covers no province yet) by the ministry's
    zone, as recipients.zone_name_of says."""
    seats = kanwil_zones()
    kanwils = [k for k, zone in seats.items() if zone in zones]
    people = Q(role=Role.OFFICER, region__time_zone__in=zones) | Q(
        role=Role.EVALUATOR, kanwil_id__in=kanwils
    )
    if ministry_zone().key in zones:
        people |= Q(role=Role.ADMIN) | Q(is_superuser=True)
        people |= Q(role=Role.EVALUATOR) & (Q(kanwil__isnull=True) | ~Q(kanwil_id__in=list(seats)))
    return User.objects.filter(people, is_active=True)


def digests(zones, now):
    """One morning e-mail per person with unread digest notices, keyed by their date."""
    people = morning_people(zones).exclude(email="")
    waiting = set(
        Notice.objects.filter(
            recipient__in=people, mode=Mode.DIGEST, mailed_at__isnull=True, read_at__isnull=True
        ).values_list("recipient_id", flat=True)
    )
    seats = kanwil_zones()
    rows = []
    for user in people.filter(pk__in=waiting).select_related("region"):
        zone = zone_name_of(user, seats)
        day = timezone.localtime(now, ZoneInfo(zone)).date()
        rows.append(
            SendLog(
                recipient=user,
                kind="digest",
                object_type="accounts.user",
                object_id=str(user.pk),
                occasion=day.isoformat(),
                channel=Channel.DIGEST,
            )
        )
    return len(enqueue_new(rows))
