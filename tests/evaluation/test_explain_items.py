"""The score explanation's completeness rows, drawn by Jinja2, give the markup of the Django
template they replaced, escaped as it escaped."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from evaluation.scorecards import ItemState
from evaluation.templatetags.explain_items import explain_items

# The rows as templates/evaluation/explain.html drew them before the explain_items tag.
REPLACED = (Path(__file__).parent / "explain_items_replaced.html").read_text()


def items():
    """An item in every state the table tells apart, with markup in a name."""
    return [
        (ItemState(1, "SK Tim <Pelaksana> & co", 1, "accepted", "accepted"), Decimal(1)),
        (ItemState(2, "Notulen", 1, "rejected", "accepted"), Decimal("0.5")),
        (ItemState(3, "Foto", 2, "rejected", "rejected"), Decimal(0)),
        (ItemState(4, "Daftar hadir", 2, has_evidence=True), Decimal(1)),
        (ItemState(5, "Laporan", 3), Decimal(0)),
        (ItemState(6, "Surat", 12, None, "accepted"), Decimal("0.666")),
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_rows_give_the_markup_of_the_template_they_replaced(language):
    with translation.override(language):
        before = Template(REPLACED).render(Context({"x": {"items": items()}}))
        after = f"<table><tbody>{explain_items(items())}</tbody></table>"

    assert parse_html(after) == parse_html(before), f"\n{after}\n---\n{before}"
    assert "<Pelaksana>" not in after and "&lt;Pelaksana&gt;" in after
