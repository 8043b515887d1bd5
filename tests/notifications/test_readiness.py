"""The Kanwil's morning word on regions without an active officer, in the two weeks before a
period opens: at 08.00 of the seat's zone, once per Kanwil and day."""

import datetime

import pytest
import time_machine
from django.core import mail

from notifications import jobs, readiness
from notifications.models import Kind, SendLog
from tests.conftest import make_user

from .conftest import notices_of

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# period_kaltim opens on 2 July 2025; 00.00 UTC is 08.00 WITA, Kanwil Kaltim's seat.
EIGHT_WITA = datetime.datetime(2025, 6, 25, 0, tzinfo=UTC)


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return jobs.run_morning(moment)


def test_a_kanwil_hears_of_its_regions_without_an_active_officer_once_a_day(
    period_kaltim, with_email, officer_balikpapan, django_capture_on_commit_callbacks
):
    _officer, _other, evaluator, evaluator_jatim = with_email

    with django_capture_on_commit_callbacks(execute=True):
        counts = run_at(EIGHT_WITA)
        run_at(EIGHT_WITA + datetime.timedelta(minutes=30))

    [notice] = notices_of(evaluator, Kind.READINESS)
    assert counts["readiness"] == 1
    assert "dibuka Rabu, 2 Juli 2025" in notice.title
    assert "64.02 Kabupaten Kutai Kartanegara: Belum ada petugas" in notice.body
    assert "64.71" not in notice.body and "64.72" not in notice.body
    assert notice.occasion == "2025-06-25"
    assert SendLog.objects.filter(kind=Kind.READINESS, recipient=evaluator).count() == 1
    assert [m.to for m in mail.outbox] == [[evaluator.email]]
    assert notices_of(evaluator_jatim, Kind.READINESS) == []


def test_the_next_morning_brings_a_new_one_and_the_opening_day_none(period_kaltim, with_email):
    evaluator = with_email[2]

    run_at(EIGHT_WITA)
    run_at(EIGHT_WITA + datetime.timedelta(days=1))
    run_at(datetime.datetime(2025, 7, 2, 0, tzinfo=UTC))

    assert sorted(n.occasion for n in notices_of(evaluator, Kind.READINESS)) == [
        "2025-06-25",
        "2025-06-26",
    ]


def test_nothing_more_than_two_weeks_ahead(period_kaltim, with_email):
    run_at(datetime.datetime(2025, 6, 17, 0, tzinfo=UTC))

    assert notices_of(with_email[2], Kind.READINESS) == []


def test_a_kanwil_whose_regions_all_have_an_active_officer_hears_nothing(
    period_kaltim, with_email, kanwil_kaltim
):
    from accounts.models import Region, Role

    covered = Region.objects.of_kanwil(kanwil_kaltim).exclude(officers__isnull=False)
    for region in covered:
        make_user(f"petugas.{region.code}", role=Role.OFFICER, region=region)

    assert readiness.readiness_digests(["Asia/Makassar"], EIGHT_WITA) == 0
    assert notices_of(with_email[2], Kind.READINESS) == []
