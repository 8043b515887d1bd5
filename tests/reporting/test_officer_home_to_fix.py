"""A returned report says on the officer's home page how many items are to be fixed, and the
form lists them at the top with links to each."""

import re

import pytest
from django.urls import reverse

from reporting.models import RejectionReason
from reporting.services import return_report, submit_report
from tests.reporting.conftest import ON_TIME, requirement_of

pytestmark = pytest.mark.django_db


def home(client):
    return client.get(reverse("reporting:officer-home") + "?siklus=2025").content.decode()


def tw3_row(page):
    match = re.search(r'<tr data-testid="period-TW3">(.*?)</tr>', page, re.S)
    assert match, "no TW3 row"
    return match.group(1)


@pytest.fixture
def returned(complete_draft, actions, officer_balikpapan, evaluator_kaltim):
    """Balikpapan's complete TW3 report, sent and returned with two items rejected."""
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    period = complete_draft.period
    items = [
        (requirement_of(actions[0], period, "Notulen rapat"), RejectionReason.UNSIGNED, ""),
        (requirement_of(actions[2], period), RejectionReason.UNREADABLE, "Buram."),
    ]
    return return_report(complete_draft, by=evaluator_kaltim, items=items)


def test_a_returned_report_says_how_many_items_to_fix_not_lengkap(
    returned, client_for, officer_balikpapan
):
    # given a complete report returned with two rejected items

    # when its officer opens the home page
    row = tw3_row(home(client_for(officer_balikpapan)))

    # then the row says two items are to be fixed, and not "Lengkap"
    assert "2 butir perlu diperbaiki" in row
    assert "Lengkap" not in row


def test_a_return_without_items_asks_to_read_the_note(
    complete_draft, client_for, officer_balikpapan, evaluator_kaltim
):
    # given a report returned with a note only
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    return_report(complete_draft, by=evaluator_kaltim, note="Perbaiki narasi aksi 2.")

    # when its officer opens the home page
    row = tw3_row(home(client_for(officer_balikpapan)))

    # then it points to the note instead of saying "Lengkap"
    assert "Perlu diperbaiki: baca catatan Kanwil" in row
    assert "Lengkap" not in row


def test_a_resubmitted_report_has_nothing_to_fix(returned, client_for, officer_balikpapan):
    # given the returned report was sent again
    submit_report(returned, by=officer_balikpapan, now=ON_TIME)

    # when the officer opens the home page
    row = tw3_row(home(client_for(officer_balikpapan)))

    # then no items are counted as to be fixed
    assert "perlu diperbaiki" not in row
    assert "Lengkap" in row


def test_the_form_lists_the_items_to_fix_with_links_to_each(
    returned, actions, client_for, officer_balikpapan
):
    # given the returned report
    period = returned.period
    notulen = requirement_of(actions[0], period, "Notulen rapat")
    sk = requirement_of(actions[2], period)

    # when the officer opens its form
    page = (
        client_for(officer_balikpapan)
        .get(reverse("reporting:report-edit", args=[period.pk]))
        .content.decode()
    )

    # then the list at the top names each item with its action and links to it
    listed = re.search(r'data-testid="to-fix".*?</nav>', page, re.S).group(0)
    assert "2 butir perlu diperbaiki" in listed
    assert f'href="#butir-{notulen.pk}">Aksi 1 · Notulen rapat</a>' in listed
    assert f'href="#butir-{sk.pk}">Aksi 3 · SK Tim Pelaksana</a>' in listed
    assert "Tanpa tanda tangan atau kop surat" in listed
    # and each anchor exists further down
    assert f'id="butir-{notulen.pk}"' in page
    assert f'id="butir-{sk.pk}"' in page
    assert page.index('data-testid="to-fix"') < page.index(f'id="butir-{notulen.pk}"')


def test_a_draft_has_no_list_of_items_to_fix(complete_draft, client_for, officer_balikpapan):
    page = (
        client_for(officer_balikpapan)
        .get(reverse("reporting:report-edit", args=[complete_draft.period.pk]))
        .content.decode()
    )

    assert 'data-testid="to-fix"' not in page
