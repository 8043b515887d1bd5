"""Reminders and digests at 08.00 in each recipient's own zone, exactly once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from accounts.models import Role
from notifications import jobs
from notifications.models import Kind, MorningRound, Notice, SendLog
from reporting.models import Period
from reporting.services import grant_extension
from tests.conftest import make_user
from tests.support import submitted_report

from .conftest import notices_of

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")


@pytest.fixture
def ambon(regions):
    return regions.get(code="81.71")


@pytest.fixture
def officer_ambon(ambon):
    return make_user("petugas.amb", role=Role.OFFICER, region=ambon, email="amb@example.test")


@pytest.fixture
def three_zones(period_kaltim, ambon, with_email, officer_surabaya, officer_ambon):
    """The period also assigned to Kota Ambon (WIT); officers in WIB, WITA and WIT."""
    from reporting.models import Assignment

    for action_id in period_kaltim.measures.values_list("action_id", flat=True):
        Assignment.objects.get_or_create(action_id=action_id, region=ambon)
    return period_kaltim


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return jobs.run_morning(moment)


def test_the_zones_served_are_those_past_eight_whose_round_of_the_day_has_not_run():
    assert jobs.zones_at_morning(datetime.datetime(2025, 10, 9, 23, tzinfo=UTC)) == [
        "Asia/Jayapura"
    ]
    run_at(datetime.datetime(2025, 10, 9, 23, tzinfo=UTC))
    assert jobs.zones_at_morning(datetime.datetime(2025, 10, 10, 0, tzinfo=UTC)) == [
        "Asia/Makassar"
    ]
    assert "Asia/Jakarta" in jobs.zones_at_morning(datetime.datetime(2025, 10, 10, 1, tzinfo=UTC))
    # Before 08.00 WIB (00.30 UTC is 07.30) Jakarta's day has not reached its morning.
    assert "Asia/Jakarta" not in jobs.zones_at_morning(
        datetime.datetime(2025, 10, 10, 0, 30, tzinfo=UTC)
    )
    # Late in the day every zone whose round did not run is still served (catch-up) ...
    late = datetime.datetime(2025, 10, 10, 14, tzinfo=UTC)
    assert {"Asia/Jakarta", "Asia/Makassar"} <= set(jobs.zones_at_morning(late))
    # ... but not Jayapura, whose round of the 10th ran at 08.00 WIT.
    assert "Asia/Jayapura" not in jobs.zones_at_morning(late)


def test_the_deadline_day_comes_first_in_the_east_around_midnight_utc(
    three_zones, officer_balikpapan, officer_surabaya, officer_ambon
):
    # 23.00 UTC on the 9th is 08.00 WIT on the 10th: Ambon's deadline day, nobody else's.
    run_at(datetime.datetime(2025, 10, 9, 23, tzinfo=UTC))
    assert [n.title for n in notices_of(officer_ambon)] == ["Hari ini batas lapor Periode TW3 2025"]
    assert notices_of(officer_balikpapan) == notices_of(officer_surabaya) == []

    # One hour later it is 08.00 WITA in Balikpapan; two hours later 08.00 WIB in Surabaya.
    run_at(datetime.datetime(2025, 10, 10, 0, tzinfo=UTC))
    run_at(datetime.datetime(2025, 10, 10, 1, tzinfo=UTC))
    for officer in (officer_balikpapan, officer_surabaya):
        [notice] = notices_of(officer, Kind.DEADLINE)
        assert notice.occasion == "d0-2025-10-10"


def test_an_extension_starts_its_own_countdown(
    three_zones, balikpapan, officer_balikpapan, admin_user
):
    grant_extension(
        balikpapan, three_zones, due_on=datetime.date(2025, 10, 13), reason="Banjir.", by=admin_user
    )

    run_at(datetime.datetime(2025, 10, 10, 0, tzinfo=UTC))  # 08.00 WITA, 3 days before the 13th

    [notice] = notices_of(officer_balikpapan, Kind.DEADLINE)
    assert notice.occasion == "d3-2025-10-13"
    assert "tinggal 3 hari" in notice.title


def test_every_job_run_twice_sends_once(
    three_zones,
    balikpapan,
    samarinda,
    officer_samarinda,
    evaluator_kaltim,
    django_capture_on_commit_callbacks,
):
    # Samarinda sent on Wed 1 Oct and waits past 5 working days; Balikpapan has not sent.
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted_report(
            samarinda,
            three_zones,
            officer_samarinda,
            at=datetime.datetime(2025, 10, 1, 12, tzinfo=WITA),
        )
    Period.objects.filter(pk=three_zones.pk).update(opens_on=datetime.date(2025, 10, 9))
    moment = datetime.datetime(2025, 10, 9, 0, tzinfo=UTC)  # 08.00 WITA, Thu 9 Oct

    with django_capture_on_commit_callbacks(execute=True):
        run_at(moment - datetime.timedelta(hours=1))  # 08.00 WIT: Ambon's round of the day
    with django_capture_on_commit_callbacks(execute=True):
        first = run_at(moment)
    notices, outbox = Notice.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = run_at(moment)

    with django_capture_on_commit_callbacks(execute=True):
        MorningRound.objects.all().delete()  # as if the first run had been cut short
        third = run_at(moment)

    assert first["period_opened"] == 1 and first["deadline"] == 1
    assert first["review_overdue"] == 1 and first["digest"] >= 2
    assert second == {}  # the day's round has run
    assert third == dict.fromkeys(first, 0)
    assert (Notice.objects.count(), len(mail.outbox)) == (notices, outbox)
    [overdue] = notices_of(evaluator_kaltim, Kind.REVIEW_OVERDUE)
    assert overdue.url == f"/evaluasi/laporan/{report.pk}/reviu/"


def test_a_return_unanswered_for_two_working_days_is_recalled_once(
    three_zones,
    balikpapan,
    officer_balikpapan,
    evaluator_kaltim,
    django_capture_on_commit_callbacks,
):
    from evaluation.models import Decision
    from evaluation.services import ItemChoice, decide
    from reporting.requirements import report_requirements

    report = submitted_report(
        balikpapan,
        three_zones,
        officer_balikpapan,
        at=datetime.datetime(2025, 10, 6, 9, tzinfo=WITA),
    )
    items = [r for b in report_requirements(balikpapan, three_zones) for r in b.requirements]
    decide(
        report,
        by=evaluator_kaltim,
        round=1,
        outcome="returned",
        note="Perbaiki.",
        choices={r.pk: ItemChoice(Decision.REJECTED, "tidak_terbaca") for r in items},
        now=datetime.datetime(2025, 10, 9, 15, tzinfo=WITA),  # Thursday
    )

    run_at(datetime.datetime(2025, 10, 13, 0, tzinfo=UTC))  # Mon: Fri counted, 1 working day
    assert notices_of(officer_balikpapan, Kind.RETURN_UNANSWERED) == []
    run_at(datetime.datetime(2025, 10, 14, 0, tzinfo=UTC))  # Tue: 2 working days
    run_at(datetime.datetime(2025, 10, 15, 0, tzinfo=UTC))
    assert len(notices_of(officer_balikpapan, Kind.RETURN_UNANSWERED)) == 1


def test_a_simulated_period_sends_each_person_the_expected_messages_once_at_eight(
    three_zones,
    balikpapan,
    samarinda,
    officer_balikpapan,
    officer_samarinda,
    officer_surabaya,
    officer_ambon,
    evaluator_kaltim,
    evaluator_other,
    django_capture_on_commit_callbacks,
):
    Period.objects.filter(pk=three_zones.pk).update(opens_on=datetime.date(2025, 10, 1))
    moment = datetime.datetime(2025, 9, 30, 12, tzinfo=UTC)
    submit_at = datetime.datetime(2025, 10, 1, 12, tzinfo=WITA)
    sent_times = {}
    while moment <= datetime.datetime(2025, 10, 11, 12, tzinfo=UTC):
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                if moment == submit_at:
                    submitted_report(samarinda, three_zones, officer_samarinda, at=moment)
                before = len(mail.outbox)
                jobs.run_morning(moment)
            for message in mail.outbox[before:]:
                sent_times.setdefault(message.to[0], []).append(moment)
        moment += datetime.timedelta(hours=1)

    def kinds(user):
        return sorted(
            (n.kind, n.occasion.split("-")[0]) for n in Notice.objects.filter(recipient=user)
        )

    reminders = [("deadline", d) for d in ("d0", "d1", "d3", "d7")] + [("period_opened", "opened")]
    for officer in (officer_balikpapan, officer_surabaya, officer_ambon):
        assert kinds(officer) == sorted(reminders)
    assert kinds(officer_samarinda) == [("period_opened", "opened")]
    assert kinds(evaluator_kaltim) == [("review_overdue", "round"), ("submitted", "event")]
    assert kinds(evaluator_other) == []
    # Every e-mail left at 08.xx in its recipient's own zone, once per local day at most.
    zones = {
        officer_balikpapan.email: WITA,
        officer_samarinda.email: WITA,
        officer_surabaya.email: WIB,
        officer_ambon.email: WIT,
        evaluator_kaltim.email: WITA,
    }
    assert set(sent_times) == set(zones)
    for address, times in sent_times.items():
        local = [t.astimezone(zones[address]) for t in times]
        assert {t.hour for t in local} == {8}
        assert len({t.date() for t in local}) == len(local)
    # Balikpapan: digests on 1, 3, 7, 9 and 10 Oct; the Kanwil on 2 Oct and 9 Oct.
    assert [t.astimezone(WITA).day for t in sent_times[officer_balikpapan.email]] == [
        1,
        3,
        7,
        9,
        10,
    ]
    assert [t.astimezone(WITA).day for t in sent_times[evaluator_kaltim.email]] == [2, 9]
    assert not SendLog.objects.exclude(status="sent").exists()


def test_a_morning_beat_missed_is_caught_up_at_the_next_beat_of_the_same_day_once(
    three_zones, officer_balikpapan, evaluator_kaltim, django_capture_on_commit_callbacks
):
    # given a digest notice waiting for the evaluator, and beat stopped across 08.00 WITA
    Notice.objects.create(
        recipient=evaluator_kaltim,
        kind=Kind.SUBMITTED,
        object_type="reporting.period",
        object_id=str(three_zones.pk),
        title="Laporan dikirim",
        mode="digest",
    )
    Notice.objects.update(created_at=datetime.datetime(2025, 10, 9, 12, tzinfo=UTC))
    eight, nine, ten = (
        datetime.datetime(2025, 10, 10, hour, tzinfo=WITA).astimezone(UTC) for hour in (8, 9, 10)
    )

    # when the first beat after it comes at 09.00, then at 10.00
    with django_capture_on_commit_callbacks(execute=True):
        caught_up = run_at(nine)
    with django_capture_on_commit_callbacks(execute=True):
        later = run_at(ten)

    # then the deadline-day reminder and both digests went out at 09.00, once
    assert caught_up["deadline"] >= 1 and caught_up["digest"] >= 2
    assert later == {}
    [notice] = notices_of(officer_balikpapan, Kind.DEADLINE)
    assert notice.occasion == "d0-2025-10-10"
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients.count(officer_balikpapan.email) == 1
    assert recipients.count(evaluator_kaltim.email) == 1
    assert eight < nine


def test_an_evaluator_of_a_kanwil_without_provinces_gets_a_digest_at_eight_in_wib(
    period_kaltim, django_capture_on_commit_callbacks
):
    # given an evaluator of a Kanwil that covers no province yet (no seat: the ministry's
    # zone, as their pages say), with a digest notice waiting
    from accounts.models import Kanwil

    kanwil = Kanwil.objects.create(code="baru", name="Kanwil Baru", city="Jakarta")
    loose = make_user("verif.baru", role=Role.EVALUATOR, kanwil=kanwil, email="pusat@example.test")
    Notice.objects.create(
        recipient=loose,
        kind=Kind.SUBMITTED,
        object_type="reporting.period",
        object_id=str(period_kaltim.pk),
        title="Laporan dikirim",
        mode="digest",
    )
    Notice.objects.update(created_at=datetime.datetime(2025, 10, 9, 12, tzinfo=UTC))

    # when the round runs at 08.00 WIB
    with django_capture_on_commit_callbacks(execute=True):
        run_at(datetime.datetime(2025, 10, 10, 8, tzinfo=WIB))

    # then the digest reached them
    [message] = mail.outbox
    assert message.to == ["pusat@example.test"]
