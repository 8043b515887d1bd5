""" "Ingatkan" says what happened: who was reached and by which channel, who was not and why."""

import datetime

import pytest
import time_machine

from notifications.models import Kind, Mode, Preference

from .conftest import WITA, notices_of

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 10, 8, 10, 0, tzinfo=WITA)


def remind(client, period):
    response = client.post("/evaluasi/antrean/", {"ingatkan": period.pk}, follow=True)
    return [str(message) for message in response.context["messages"]]


@time_machine.travel(NOW, tick=False)
def test_an_officer_with_reminders_off_is_named_and_nothing_is_said_to_be_sent(
    period_kaltim, evaluator_kaltim, officer_balikpapan, client_for
):
    # given Balikpapan's only officer turned reminders off, and Samarinda has no officer
    Preference.objects.create(user=officer_balikpapan, kind=Kind.REMINDER, mode=Mode.OFF)

    # when the evaluator reminds
    said = remind(client_for(evaluator_kaltim), period_kaltim)

    # then the message says nobody was reached, and why for each
    assert notices_of(officer_balikpapan, Kind.REMINDER) == []
    assert any("tidak terkirim ke siapa pun" in text for text in said), said
    [missed] = [text for text in said if text.startswith("Tidak terjangkau")]
    assert "Petugas Balikpapan (Kota Balikpapan): pengingat dimatikan" in missed
    assert "Kota Samarinda: belum ada petugas" in missed
    assert not any("dikirim ke" in text for text in said)


@time_machine.travel(NOW, tick=False)
def test_the_message_counts_the_officers_reached_by_channel(
    period_kaltim, evaluator_kaltim, officer_balikpapan, officer_samarinda, client_for
):
    # given one officer with an e-mail who wants reminders at once, one with no contact
    Preference.objects.create(user=officer_balikpapan, kind=Kind.REMINDER, mode=Mode.IMMEDIATELY)
    officer_balikpapan.email = "petugas@balikpapan.example"
    officer_balikpapan.save(update_fields=["email"])

    # when
    said = remind(client_for(evaluator_kaltim), period_kaltim)

    # then two were reached, each by the channels they have, and the one without contact named
    [done] = [text for text in said if text.startswith("Pengingat")]
    assert "sampai ke 2 petugas di 2 daerah" in done
    assert "lonceng portal 2" in done and "e-mail sekarang 1" in done
    assert "SMS/WhatsApp 0" in done
    [missed] = [text for text in said if text.startswith("Tidak terjangkau")]
    assert "Petugas Samarinda (Kota Samarinda): hanya lewat lonceng portal" in missed
