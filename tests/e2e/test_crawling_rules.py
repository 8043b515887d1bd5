"""The crawler's rules catch what they are meant to catch (plain functions, no browser)."""

import datetime

from tests.e2e.crawling import other_language_words, time_problems

MOMENT = datetime.datetime(2026, 11, 29, 20, 0, tzinfo=datetime.UTC)
WINDOW = (MOMENT, MOMENT)


def page(inner):
    return f"<html><body><main>{inner}</main></body></html>"


def test_a_time_element_must_show_its_instant_in_the_zone_it_names():
    right = (
        '<time datetime="2026-11-30T04:00+08:00">Senin, 30 November 2026 pukul 04.00 WITA</time>'
    )
    wrong = '<time datetime="2026-11-30T04:00+08:00">Senin, 30 November 2026 pukul 04.00 WIB</time>'

    assert time_problems(page(right), {MOMENT}, set(), WINDOW) == []
    assert time_problems(page(wrong), {MOMENT}, set(), WINDOW)


def test_a_time_the_database_does_not_hold_fails_unless_it_is_a_deadline():
    other = (
        '<time datetime="2026-11-30T05:00+08:00">Senin, 30 November 2026 pukul 05.00 WITA</time>'
    )
    deadline = "Batas: Senin, 30 November 2026 pukul 23.59 WITA"

    assert time_problems(page(other), {MOMENT}, set(), WINDOW)
    assert time_problems(page(deadline), set(), {datetime.date(2026, 11, 30)}, WINDOW) == []


def test_a_clock_time_without_a_zone_fails():
    # the notification list as it was: "3 Des 2026 10.08"
    assert time_problems(page("<div>3 Des 2026 10.08</div>"), set(), set(), WINDOW)
    assert time_problems(page("pada 20:00"), set(), set(), WINDOW)
    # a zone, or the reader's own local time, is named; a score or a code is no time
    assert time_problems(page("ringkasan pukul 08.00 waktu setempat"), set(), set(), WINDOW) == []
    assert (
        time_problems(page("Nilai 96.43 · kode 64.71 · 5623479 11.01"), set(), set(), WINDOW) == []
    )


def test_interface_words_of_the_other_language_are_found_but_data_is_not():
    data = ["Penguatan layanan dan pemenuhan hak anak"]

    assert other_language_words(page("<button>Save</button>"), "id", data)
    assert other_language_words(page('<a title="Unduh">PDF</a>'), "en", data)
    assert (
        other_language_words(page("<td>Penguatan layanan dan pemenuhan hak anak</td>"), "en", data)
        == []
    )
    assert other_language_words(page("<p>Google Calendar atau Outlook</p>"), "id", data) == []
