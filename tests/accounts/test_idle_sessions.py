"""Sessions end after SESSION_COOKIE_AGE (2 h) without a request."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

HOME = "/laporan/"


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.django_db
def test_a_session_left_alone_for_two_hours_ends(client_for, officer_balikpapan):
    # given: an officer logged in at nine
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(officer_balikpapan)
        assert client.get(HOME).status_code == 200

    # when: the next click comes two hours and a minute later
    with time_machine.travel(start + datetime.timedelta(hours=2, minutes=1), tick=False):
        response = client.get(HOME)

    # then
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_working_on_keeps_the_session_alive(client_for, officer_balikpapan):
    # given: an officer who clicks every ninety minutes
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(officer_balikpapan)
    for minutes in (90, 180, 270):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            # then: still logged in, four and a half hours after logging in
            assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_the_session_row_is_renewed_at_most_every_five_minutes(client_for, officer_balikpapan):
    # given
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(officer_balikpapan)
        client.get(HOME)
        first = expiry(client)

    # when: a click a minute later, and one six minutes later
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        client.get(HOME)
        soon = expiry(client)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        client.get(HOME)
        later = expiry(client)

    # then
    assert soon == first
    assert later > first


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(client_for, officer_balikpapan):
    client = client_for(officer_balikpapan)

    response = client.get(HOME)

    cookie = response.cookies.get("sessionid") or client.cookies["sessionid"]
    assert not cookie["expires"]
    assert not cookie["max-age"]


@pytest.mark.django_db
def test_the_health_page_reads_no_session_even_for_a_signed_in_admin(
    client_for, admin_user, django_assert_num_queries
):
    client = client_for(admin_user)

    with django_assert_num_queries(0):
        response = client.get(reverse("accounts:health"))

    assert response.status_code == 200
