"""The bell, the list, marking as read, preferences and the private deadline calendar."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from notifications.models import KINDS_BY_ROLE, Kind, Mode, Notice, Preference, Profile
from reporting.services import grant_extension

pytestmark = pytest.mark.django_db


def give(user, count, kind=Kind.DEADLINE):
    Notice.objects.bulk_create(
        [
            Notice(
                recipient=user,
                kind=kind,
                object_type="reporting.period",
                object_id=str(i),
                title=f"Pemberitahuan {i}",
                url="/laporan/",
                mode=Mode.DIGEST,
            )
            for i in range(count)
        ]
    )


def queries_for(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_bell_shows_the_unread_count_at_a_fixed_query_cost(
    officer_balikpapan, client_for, period_kaltim
):
    client = client_for(officer_balikpapan)
    give(officer_balikpapan, 2)
    small = queries_for(client, "/notifikasi/")
    give(officer_balikpapan, 40, kind=Kind.REMINDER)
    large = queries_for(client, "/notifikasi/")

    assert small == large
    page = client.get("/laporan/")
    assert b'data-testid="bell-count">42' in page.content


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(officer_balikpapan, client_for):
    give(officer_balikpapan, 2)
    notice = Notice.objects.filter(recipient=officer_balikpapan).first()
    client = client_for(officer_balikpapan)

    response = client.post(f"/notifikasi/{notice.pk}/buka/")

    assert response.status_code == 302 and response["Location"] == "/laporan/"
    assert Notice.objects.filter(recipient=officer_balikpapan, read_at__isnull=True).count() == 1
    client.post("/notifikasi/baca-semua/")
    assert not Notice.objects.filter(read_at__isnull=True).exists()


def test_nobody_opens_another_persons_notice(officer_balikpapan, officer_samarinda, client_for):
    give(officer_balikpapan, 1)
    notice = Notice.objects.get()

    response = client_for(officer_samarinda).post(f"/notifikasi/{notice.pk}/buka/")

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_preferences_are_kept_but_a_return_cannot_be_switched_off(officer_balikpapan, client_for):
    client = client_for(officer_balikpapan)
    page = client.get("/notifikasi/pilihan/")
    assert page.status_code == 200

    client.post(
        "/notifikasi/pilihan/",
        {"language": "en", f"kind_{Kind.DEADLINE}": Mode.OFF, f"kind_{Kind.RETURNED}": Mode.OFF},
    )

    # "off" is not among a return's choices: the form refuses it and stores nothing.
    assert not Preference.objects.filter(user=officer_balikpapan).exists()
    fields = {f"kind_{kind}": Mode.DIGEST for kind in KINDS_BY_ROLE["officer"]}
    response = client.post(
        "/notifikasi/pilihan/",
        {
            **fields,
            "language": "en",
            f"kind_{Kind.DEADLINE}": Mode.OFF,
            f"kind_{Kind.RETURNED}": Mode.IMMEDIATELY,
        },
    )
    assert response.status_code == 302
    modes = dict(Preference.objects.filter(user=officer_balikpapan).values_list("kind", "mode"))
    assert modes[Kind.DEADLINE] == Mode.OFF and modes[Kind.RETURNED] == Mode.IMMEDIATELY
    assert Profile.objects.get(user=officer_balikpapan).language == "en"


def test_the_calendar_feed_lists_the_regions_deadlines_and_its_extension(
    officer_balikpapan, period_kaltim, balikpapan, admin_user, client_for
):
    import datetime

    grant_extension(
        balikpapan, period_kaltim, due_on=datetime.date(2025, 10, 17), reason="x", by=admin_user
    )
    client = client_for(officer_balikpapan)
    client.post("/notifikasi/kalender/")  # the first address is made by the page's button
    page = client.get("/notifikasi/kalender/")
    token = Profile.objects.get(user=officer_balikpapan).calendar_token
    assert token.encode() in page.content

    client.logout()
    feed = client.get(f"/notifikasi/kalender/{token}.ics")

    assert feed["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert event.decoded("dtstart") == datetime.date(2025, 10, 17)
    assert "diperpanjang" in str(event.get("summary"))


def test_a_regenerated_calendar_address_revokes_the_old_one(officer_balikpapan, client_for):
    client = client_for(officer_balikpapan)
    client.post("/notifikasi/kalender/")
    old = Profile.objects.get(user=officer_balikpapan).calendar_token

    client.post("/notifikasi/kalender/")

    new = Profile.objects.get(user=officer_balikpapan).calendar_token
    assert new != old
    assert client.get(f"/notifikasi/kalender/{old}.ics").status_code == 404
    assert client.get(f"/notifikasi/kalender/{new}.ics").status_code == 200


@pytest.mark.parametrize(
    "cast_member, status",
    [
        ("officer_balikpapan", 200),
        ("evaluator_kaltim", 403),
        ("admin_user", 403),
        ("anonymous", 302),
    ],
    indirect=["cast_member"],
)
def test_only_officers_have_a_deadline_calendar(cast_member, status, client_for):
    assert client_for(cast_member).get("/notifikasi/kalender/").status_code == status


def bell_count(client):
    page = client.get("/notifikasi/pilihan/")
    assert page.status_code == 200
    found = page.content.split(b'data-testid="bell-count">')
    return int(found[1].split(b"<")[0]) if len(found) > 1 else 0


def test_the_cached_bell_count_follows_new_read_and_deleted_notices(
    officer_balikpapan, client_for, period_kaltim, settings, django_capture_on_commit_callbacks
):
    from notifications.services import notify

    settings.CACHE_URL = "redis://shared.example"  # the cached path; the test's cache stands in
    client = client_for(officer_balikpapan)
    assert bell_count(client) == 0

    def compose(user):
        return "Batas lapor", "Segera kirim laporan.", "/laporan/"

    with django_capture_on_commit_callbacks(execute=True):
        notify([officer_balikpapan], Kind.DEADLINE, period_kaltim, compose, occasion="h-3")
        notify([officer_balikpapan], Kind.DEADLINE, period_kaltim, compose, occasion="h-1")
    assert bell_count(client) == 2
    with CaptureQueriesContext(connection) as queries:
        bell_count(client)
    assert not any("notifications_notice" in q["sql"] for q in queries.captured_queries)

    notice = Notice.objects.filter(recipient=officer_balikpapan).first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/notifikasi/{notice.pk}/buka/")
    assert bell_count(client) == 1
    with django_capture_on_commit_callbacks(execute=True):
        Notice.objects.filter(recipient=officer_balikpapan, read_at__isnull=True).get().delete()
    assert bell_count(client) == 0
