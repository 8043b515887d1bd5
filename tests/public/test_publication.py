"""Publishing is an audited decision on final results, withdrawable with a reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from evaluation.models import Publication, Score
from evaluation.publication import publish, published_cycle_ids, withdraw
from tests.public.conftest import closed_period, score


@pytest.mark.django_db
def test_results_of_an_open_period_are_not_published(balikpapan, admin_user):
    period = closed_period(2025)
    period.closes_on = datetime.date.today() + datetime.timedelta(days=3)
    period.save()

    with pytest.raises(ValidationError) as refused:
        publish(period.cycle, by=admin_user)

    assert "belum ditutup" in refused.value.messages[0]
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_results_with_an_unverified_report_are_not_published(balikpapan, admin_user):
    period = closed_period(2025)
    Score.objects.filter(pk=score(balikpapan, period, "90", "90", "90", "90").pk).update(
        provisional=True
    )

    with pytest.raises(ValidationError) as refused:
        publish(period.cycle, by=admin_user)

    assert "belum diverifikasi" in refused.value.messages[0]


@pytest.mark.django_db
def test_publishing_is_audited_and_repeatable(balikpapan, admin_user):
    period = closed_period(2025)
    score(balikpapan, period, "99", "98", "100", "100")

    first = publish(period.cycle, by=admin_user)
    again = publish(period.cycle, by=admin_user)

    assert first == again
    assert published_cycle_ids() == {period.cycle_id}
    assert AuditEvent.objects.filter(action="results_published").count() == 1


@pytest.mark.django_db
def test_a_withdrawal_needs_a_reason_and_keeps_the_row(balikpapan, admin_user):
    period = closed_period(2025)
    score(balikpapan, period, "99", "98", "100", "100")
    publication = publish(period.cycle, by=admin_user)

    with pytest.raises(ValidationError):
        withdraw(publication, by=admin_user, reason="  ")
    assert withdraw(publication, by=admin_user, reason="Nilai Samarinda dikoreksi") is True

    publication.refresh_from_db()
    assert publication.withdrawn_by == admin_user
    assert publication.withdrawal_reason == "Nilai Samarinda dikoreksi"
    assert published_cycle_ids() == set()
    assert AuditEvent.objects.filter(action="results_withdrawn").count() == 1
    # and it can be published again later
    assert publish(period.cycle, by=admin_user).pk != publication.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 302), ("officer", 403), ("evaluator", 403), ("admin", 200)],
)
def test_only_admins_open_the_publication_page(
    client, who, status, officer_balikpapan, evaluator_kaltim, admin_user
):
    from tests.conftest import force_login_past_the_second_factor

    user = {"officer": officer_balikpapan, "evaluator": evaluator_kaltim, "admin": admin_user}
    if who != "anonymous":
        force_login_past_the_second_factor(client, user[who])

    assert client.get("/evaluasi/pengumuman/").status_code == status


@pytest.mark.django_db
def test_the_admin_publishes_after_confirming(client, balikpapan, admin_user):
    from tests.conftest import force_login_past_the_second_factor

    period = closed_period(2025)
    score(balikpapan, period, "99", "98", "100", "100")
    force_login_past_the_second_factor(client, admin_user)
    url = f"/evaluasi/pengumuman/siklus/{period.cycle_id}/umumkan/"

    asked = client.post(url)
    assert asked.status_code == 200 and b'name="confirmed"' in asked.content
    assert not Publication.objects.exists()

    done = client.post(url, {"confirmed": "1"})
    assert done.status_code == 302
    assert published_cycle_ids() == {period.cycle_id}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "evaluator"])
def test_nobody_but_an_admin_publishes_or_withdraws(
    client, who, balikpapan, officer_balikpapan, evaluator_kaltim, admin_user
):
    from tests.conftest import force_login_past_the_second_factor

    period = closed_period(2025)
    score(balikpapan, period, "99", "98", "100", "100")
    published = publish(period.cycle, by=admin_user)
    force_login_past_the_second_factor(
        client, {"officer": officer_balikpapan, "evaluator": evaluator_kaltim}[who]
    )

    withdrawn = client.post(
        f"/evaluasi/pengumuman/{published.pk}/tarik/", {"reason": "x", "confirmed": "1"}
    )
    again = client.post(
        f"/evaluasi/pengumuman/siklus/{period.cycle_id}/umumkan/", {"confirmed": "1"}
    )

    assert withdrawn.status_code == again.status_code == 403
    assert list(Publication.objects.values_list("withdrawn_at", flat=True)) == [None]


@pytest.mark.django_db
def test_the_public_language_switch_sets_only_the_language_and_stays_on_the_site(client):
    answer = client.post(
        "/hasil/bahasa/", {"language": "en", "next": "https://elsewhere.example/steal"}
    )

    assert answer.status_code == 302
    assert not answer["Location"].startswith("https://elsewhere.example")
    assert answer.cookies["django_language"].value == "en"
    assert client.post("/hasil/bahasa/", {"language": "xx"}).cookies.get("django_language") is None
