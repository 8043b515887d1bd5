"""The review screen below its navbar, drawn by Jinja2, gives the markup of the Django
template it replaced, escaped as it escaped: in round one and two, with a refused POST, with
someone else looking, verified and returned, in both languages."""

import importlib
import re
from pathlib import Path
from unittest import mock

import pytest
from django.template import RequestContext, Template
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

from evaluation import presence
from evaluation.models import Decision
from evaluation.services import ItemChoice, decide
from evaluation.templatetags.review_items import review_page
from reporting.models import RejectionReason, ReportStatus
from tests.evaluation import test_round_two as round_two_scenes

pytestmark = pytest.mark.django_db

# The module, not the view of the same name that evaluation.views exports.
review_views = importlib.import_module("evaluation.views.review")

report, round_two = round_two_scenes.report, round_two_scenes.round_two

# The screen's content as templates/evaluation/review.html drew it before the Jinja2 macro.
REPLACED = Template((Path(__file__).parent / "review_page_replaced.html").read_text())
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def drawn_both_ways(client, url, data=None):
    """The view's own context, drawn by the replaced template and by the macro."""
    seen = {}
    render = review_views.render

    def capture(request, template_name, context):
        seen.update(request=request, context=context)
        return render(request, template_name, context)

    with mock.patch.object(review_views, "render", capture):
        response = client.post(url, data) if data else client.get(url)
    assert response.status_code == 200
    request, context = seen["request"], seen["context"]
    with translation.override(request.LANGUAGE_CODE):
        before = REPLACED.render(RequestContext(request, context))
        after = review_page({**context, "request": request})
    # Each {% csrf_token %} masks the token anew.
    return TOKEN.sub(r'\1"', before), TOKEN.sub(r'\1"', str(after))


def set_language(client, language):
    client.cookies["django_language"] = language


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("state", ["first", "second", "refused", "watched", "verified", "returned"])
def test_the_screen_gives_the_markup_of_the_template_it_replaced(
    state, language, request, client_for, evaluator_kaltim, admin_user
):
    sent = request.getfixturevalue("round_two" if state == "second" else "report")
    if state in ("first", "refused"):  # the region's note, with a second line
        sent.notes = 'Catatan <b>"daerah"</b> & baris\nkedua'
        sent.save(update_fields=["notes"])
    if state in ("first", "watched"):  # its proposal, alone once
        sent.proposals = "Usulan <i>pusat</i>"
        sent.save(update_fields=["proposals"])
    if state == "watched":
        admin_user.first_name = 'Admin <script>"x"</script>'
        presence.note_open(sent, round=1, user=admin_user)
    if state in ("verified", "returned"):
        choices = round_two_scenes.accept_all(sent)
        if state == "returned":
            (_n, first), *_rest = round_two_scenes.labelled(sent)
            choices[first.pk] = ItemChoice(Decision.REJECTED, RejectionReason.UNSIGNED, "TTD?")
        decide(sent, by=evaluator_kaltim, round=1, outcome=state, choices=choices)
    client = client_for(evaluator_kaltim)
    set_language(client, language)
    url = reverse("evaluation:review", args=[sent.pk])
    data = None
    if state == "refused":  # nothing decided: every item is named as missing
        data = {"putaran": 1, "verifikasi": "1", "confirmed": "1", "catatan": "Cat <u>atan</u>"}

    before, after = drawn_both_ways(client, url, data)

    assert parse_html(after) == parse_html(before), f"\n{after}\n---\n{before}"
    shown = {
        "first": 'data-testid="review-actions"',
        "second": 'data-testid="round-carried"',
        "refused": 'data-testid="item-problem"',
        "watched": 'data-testid="others-open"',
        "verified": 'data-testid="reopen"',
        "returned": "alert-info",
    }
    assert shown[state] in after
    if state == "watched":
        assert "Admin &lt;script&gt;" in after
    assert "<b>" not in after and "<script>" not in after
    if state != "second":
        sent.refresh_from_db()
        assert sent.status == (
            ReportStatus(state) if state in ("verified", "returned") else ReportStatus.SUBMITTED
        )
