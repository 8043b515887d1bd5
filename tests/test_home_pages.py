"""Permission matrix of the three home pages over the cast."""

import pytest
from django.urls import reverse

PAGES = ["reporting:officer-home", "evaluation:queue", "evaluation:overview"]
# The status each member gets on each page (302: sent to the login page).
MATRIX = {
    "officer_balikpapan": [200, 403, 403],
    "officer_samarinda": [200, 403, 403],
    "evaluator_kaltim": [403, 200, 403],
    "evaluator_other": [403, 200, 403],
    "admin_user": [403, 200, 200],
    "anonymous": [302, 302, 302],
}


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(MATRIX), indirect=True)
@pytest.mark.parametrize("page", range(len(PAGES)))
def test_home_page_permission_matrix(client_for, cast_member, request, page):
    name = request.node.callspec.params["cast_member"]

    response = client_for(cast_member).get(reverse(PAGES[page]))

    assert response.status_code == MATRIX[name][page]
