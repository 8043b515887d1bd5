"""The score explanation, drawn by Jinja2, gives the markup of the Django template it
replaced, escaped as it escaped, for every pair of a seeded data set in both languages."""

from pathlib import Path

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from accounts.models import Region
from evaluation.scorecards import explain
from evaluation.templatetags.explain_items import explanation
from reporting.models import Period
from tests.evaluation import test_stored_scores as stored_scores

pytestmark = pytest.mark.django_db

# The seeded data set of the stored-scores tests, with its media folder, borrowed as it is.
seeded, media_root = stored_scores.seeded, stored_scores.media_root

# The page's content as templates/evaluation/explain.html drew it before the Jinja2 macro.
REPLACED = Template((Path(__file__).parent / "explain_replaced.html").read_text())


def both(x, region, period, user):
    before = REPLACED.render(
        Context({"x": x, "region": region, "period": period, "result": x.result, "user": user})
    )
    after = explanation({"user": user}, x, region, period)
    return before, after


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_explanation_gives_the_markup_of_the_template_it_replaced(
    language, seeded, evaluator_kaltim, officer_balikpapan
):
    # given every assigned pair of the seeded cycles, with an extension and a holiday among them
    pairs = [
        (region, period)
        for region in Region.objects.filter(reports__isnull=False).distinct().order_by("code")
        for period in Period.objects.select_related("cycle").order_by("cycle__year", "opens_on")
    ]
    seen = {"requests": 0, "holidays": 0, "extended": 0, "provisional": 0, "unsent": 0}
    with translation.override(language):
        for region, period in pairs:
            x = explain(region, period)
            if x is None:
                continue
            r = x.result.responsiveness_detail
            seen["requests"] += bool(r and r.requests)
            seen["holidays"] += bool(x.holidays_skipped)
            seen["extended"] += bool(x.inputs.extension_due)
            seen["provisional"] += bool(x.inputs.provisional)
            seen["unsent"] += not x.result.submitted_by_close
            for user in (evaluator_kaltim, officer_balikpapan):
                # when both draw it, then the markup is the same
                before, after = both(x, region, period, user)
                assert parse_html(after) == parse_html(before), f"\n{after}\n---\n{before}"

    # and every state the page tells apart was drawn
    assert all(seen.values()), seen


def test_a_name_with_markup_is_escaped(seeded, evaluator_kaltim):
    region, period = seeded.extended
    region.name = 'Kota <b>"Uji"</b> & co'
    x = explain(region, period)

    before, after = both(x, region, period, evaluator_kaltim)

    assert parse_html(after) == parse_html(before)
    assert "<b>" not in after and "&lt;b&gt;" in after
