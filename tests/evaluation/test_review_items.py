"""The review screen's actions and item rows, drawn by Jinja2, give the markup of the Django
templates they replaced, escaped as they escaped."""

from pathlib import Path

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from evaluation.review_screen import PastDecision, ReviewBlock, ReviewItem
from evaluation.services import ItemChoice
from evaluation.templatetags.review_items import review_blocks, review_items
from evaluation.views.options import option_tags
from reporting.models import ProgressStatus, RejectionReason, ReportEntry

# The row as templates/evaluation/review.html drew it before the review_item tag.
REPLACED = (Path(__file__).parent / "review_item_replaced.html").read_text()

PDF = {
    "pk": 7,
    "url": "/laporan/berkas/7/",
    "original_name": 'SK "Tim" <Pelaksana> & co.pdf',
    "content_type": "application/pdf",
    "size": 1_234_567,
    "is_new": True,
    "duplicates": "Kota Samarinda – Triwulan III 2025; <daerah lain>",
}
PHOTO = {
    "pk": 8,
    "url": "/laporan/berkas/8/",
    "original_name": "foto kegiatan.jpg",
    "content_type": "image/jpeg",
    "size": 900,
    "is_new": False,
    "duplicates": "",
}


def rows():
    """Rows in every state the screen shows: new and duplicate files, no files, a carried
    decision, changed files, an earlier rejection, a refused POST with its problem."""
    rejected = PastDecision(1, "rejected", RejectionReason.choices[0][0])
    return {
        "two files, new and duplicate": ReviewItem(
            pk=31, name="SK Tim <Pelaksana>", ref="31", files=[PDF, PHOTO]
        ),
        "no files": ReviewItem(pk=32, name="Notulen rapat", ref="32"),
        "carried": ReviewItem(
            pk=33,
            name="Daftar penerima",
            ref="33",
            files=[PHOTO],
            previous=PastDecision(1, "accepted", ""),
            carried=True,
            chosen="accepted",
        ),
        "changed after a rejection": ReviewItem(
            pk=34, name="Foto", ref="34", files=[PHOTO], previous=rejected, changed=True
        ),
        "refused POST": ReviewItem(
            pk=35,
            name="Laporan",
            ref="35",
            files=[PDF],
            posted=ItemChoice("rejected", RejectionReason.choices[1][0], 'Kurang "cap" & <ttd>'),
            problem="Pilih alasan penolakan.",
            chosen="rejected",
        ),
    }


@pytest.mark.parametrize("reviewable", [True, False])
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("case", list(rows()))
def test_a_row_gives_the_markup_of_the_template_it_replaced(case, language, reviewable):
    req = rows()[case]
    if reviewable:
        req.reason_options = option_tags(
            RejectionReason.choices, req.posted.reason if req.posted else None
        )
    with translation.override(language):
        before = Template(REPLACED).render(Context({"req": req, "reviewable": reviewable}))
        after = review_items([req], reviewable)

    assert parse_html(after) == parse_html(before), f"\n{after}\n---\n{before}"


def test_values_are_escaped_and_the_controls_name_the_item():
    req = rows()["refused POST"]
    req.reason_options = option_tags(RejectionReason.choices, req.posted.reason)

    row = review_items([req], True)

    assert "<Pelaksana>" not in row and "&lt;ttd&gt;" in row
    assert 'name="keputusan-35"' in row and 'name="alasan-35"' in row
    assert 'name="catatan-35"' in row and 'id="tolak-35" value="rejected" checked' in row
    assert 'data-testid="item-problem"' in row


def test_a_blocks_rows_follow_one_another_in_order():
    drawn = rows()
    for req in drawn.values():
        req.reason_options = option_tags(RejectionReason.choices)

    html = review_items(list(drawn.values()), True)

    assert parse_html(html).count(parse_html('<option value="">Alasan penolakan…</option>')) == 5
    places = [html.index(f'data-testid="item-{ref}"') for ref in ("31", "32", "33", "34", "35")]
    assert places == sorted(places)


# The action sections as templates/evaluation/review.html drew them before the review_blocks tag.
REPLACED_BLOCKS = (Path(__file__).parent / "review_block_replaced.html").read_text()


def blocks():
    """An action with a narrative over lines (with markup in it), one with an entry but no
    narrative, one with no entry at all."""
    drawn = list(rows().values())
    for req in drawn:
        req.reason_options = option_tags(RejectionReason.choices)
    return [
        ReviewBlock(
            action_id=1,
            number=1,
            title="Sosialisasi <HAM> & kebijakan",
            measure='Terlaksana "penuh"',
            requirements=drawn[:2],
            entry=ReportEntry(
                narrative="Baris satu <b>tebal</b>\nbaris dua & tiga", progress=ProgressStatus.DONE
            ),
        ),
        ReviewBlock(
            action_id=2,
            number=2,
            title="Pelatihan",
            measure="Ada",
            requirements=drawn[2:],
            entry=ReportEntry(narrative="", progress=ProgressStatus.IN_PROGRESS),
        ),
        ReviewBlock(action_id=3, number=13, title="Tanpa isian", measure="—", requirements=[]),
    ]


@pytest.mark.parametrize("reviewable", [True, False])
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_actions_give_the_markup_of_the_template_they_replaced(language, reviewable):
    drawn = blocks()

    with translation.override(language):
        before = Template(REPLACED_BLOCKS).render(
            Context({"blocks": drawn, "reviewable": reviewable})
        )
        after = review_blocks(drawn, reviewable)

    assert parse_html(after) == parse_html(before), f"\n{after}\n---\n{before}"
    assert "<b>tebal</b>" not in after and "&lt;b&gt;tebal&lt;/b&gt;<br>baris dua" in after
