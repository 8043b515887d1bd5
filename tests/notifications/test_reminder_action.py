"""The queue's "Ingatkan": who will hear of it first, then a reminder now, once a day per region."""

import datetime

import pytest
import time_machine

from notifications.models import Kind, Notice

from .conftest import WITA, notices_of

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 10, 8, 10, 0, tzinfo=WITA)


@pytest.fixture
def queue_url(period_kaltim):
    return f"/evaluasi/antrean/?siklus=2025&ingatkan={period_kaltim.pk}"


@time_machine.travel(NOW, tick=False)
def test_the_confirmation_names_who_will_receive_it_and_sends_nothing(
    queue_url, evaluator_kaltim, officer_balikpapan, officer_samarinda, client_for
):
    page = client_for(evaluator_kaltim).get(queue_url)

    assert b'data-testid="remind-confirm"' in page.content
    text = page.content.decode()
    assert "Kota Balikpapan" in text and "Petugas Balikpapan" in text
    assert "Kota Surabaya" not in text  # another Kanwil's region
    assert not Notice.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_sending_reminds_each_region_that_has_not_submitted_once_a_day(
    period_kaltim,
    evaluator_kaltim,
    officer_balikpapan,
    officer_samarinda,
    officer_surabaya,
    client_for,
    django_capture_on_commit_callbacks,
):
    from tests.support import submitted_report

    submitted_report(
        officer_samarinda.region,
        period_kaltim,
        officer_samarinda,
        at=datetime.datetime(2025, 10, 7, 9, tzinfo=WITA),
    )
    client = client_for(evaluator_kaltim)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/evaluasi/antrean/", {"ingatkan": period_kaltim.pk})
        client.post("/evaluasi/antrean/", {"ingatkan": period_kaltim.pk})

    [reminder] = notices_of(officer_balikpapan, Kind.REMINDER)
    assert "Verifikator Kaltim" in reminder.body
    assert notices_of(officer_samarinda) == []  # already submitted
    assert notices_of(officer_surabaya) == []  # not this Kanwil's
    page = client.get(f"/evaluasi/antrean/?siklus=2025&ingatkan={period_kaltim.pk}")
    assert "sudah diingatkan hari ini" in page.content.decode()


def test_the_next_day_may_remind_again(
    period_kaltim, evaluator_kaltim, officer_balikpapan, client_for
):
    client = client_for(evaluator_kaltim)
    for day in (8, 9):
        with time_machine.travel(datetime.datetime(2025, 10, day, 10, tzinfo=WITA), tick=False):
            client.post("/evaluasi/antrean/", {"ingatkan": period_kaltim.pk})

    assert len(notices_of(officer_balikpapan, Kind.REMINDER)) == 2


@pytest.mark.parametrize(
    "cast_member, status",
    [("officer_balikpapan", 403), ("anonymous", 302)],
    indirect=["cast_member"],
)
def test_officers_and_strangers_cannot_remind(period_kaltim, cast_member, status, client_for):
    response = client_for(cast_member).post("/evaluasi/antrean/", {"ingatkan": period_kaltim.pk})

    assert response.status_code == status
    assert not Notice.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_queue_shows_how_long_each_report_waited_and_flags_the_late_ones(
    period_kaltim, balikpapan, officer_balikpapan, evaluator_kaltim, client_for
):
    from tests.support import submitted_report

    submitted_report(
        balikpapan,
        period_kaltim,
        officer_balikpapan,
        at=datetime.datetime(2025, 9, 29, 9, tzinfo=WITA),  # Monday: 7 working days to Wed 8
    )

    page = client_for(evaluator_kaltim).get("/evaluasi/antrean/?siklus=2025").content.decode()

    assert "7 hari kerja" in page
    assert 'data-testid="past-sla"' in page
