"""The report form's evidence item boxes, drawn by Jinja2, hold what the page's script and
the officer need: the upload URL and field prefix, a row per file with its link and remove
check box, the file input with its label, the evaluator's rejections and the item's errors;
they are the markup of the Django template they replaced."""

from pathlib import Path

import pytest
from django.template import Context, Template
from django.template.defaultfilters import filesizeformat
from django.test.html import parse_html
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import translation

from accounts.templatetags.moments import format_moment
from reporting.edit_screen import EditFile, EditItem, edit_sections
from reporting.forms import EvidenceItemForm, OfficerReportForm
from reporting.models import RejectionReason
from reporting.presenters import evidence_by_requirement
from reporting.requirements import report_requirements
from reporting.services import return_report, submit_report
from reporting.templatetags.evidence_boxes import evidence_boxes
from tests.reporting.conftest import ON_TIME, requirement_of

HOSTILE = '<img src=x onerror="alert(1)">'
# The box as templates/reporting/report_edit.html drew it before the evidence_boxes tag.
REPLACED = (Path(__file__).parent / "evidence_box_replaced.html").read_text()


def page_of(client, period):
    response = client.get(reverse("reporting:report-edit", args=[period.pk]))
    assert response.status_code == 200
    return parse_html(response.content.decode())


def contains(page, snippet):
    return page.count(parse_html(snippet)) > 0


@pytest.mark.django_db
def test_each_box_carries_what_the_upload_script_reads(
    complete_draft, tw3, client_for, officer_balikpapan
):
    # given a draft with a file for every required item
    files = list(complete_draft.evidence.filter(removed_at__isnull=True))
    assert files

    # when its officer opens the form
    page = page_of(client_for(officer_balikpapan), tw3)

    # then every file is a row of its item's box, with its link and remove check box
    for evidence in files:
        prefix = f"dok-{evidence.requirement_id}"
        name = f"Ganti berkas {evidence.original_name}"
        assert contains(
            page,
            f'<li data-evidence-id="{evidence.pk}">'
            f'<a href="{reverse("reporting:evidence-file", args=[evidence.pk])}"'
            f' target="_blank" rel="noopener">{evidence.original_name}</a>'
            f'<span class="text-secondary">({filesizeformat(evidence.size)},'
            f" {format_moment(evidence.uploaded_at, complete_draft.region)})</span>"
            f'<label class="ms-2"><input type="checkbox" name="{prefix}-remove"'
            f' value="{evidence.pk}"> lepas</label>'
            f'<button type="button" class="btn btn-link btn-sm p-0 ms-2 align-baseline"'
            f' data-replace hidden aria-label="{name}">Ganti</button></li>',
        ), evidence
    # and every box names its upload URL, its fields' prefix and its file input
    html = str(page)
    for requirement_id in {evidence.requirement_id for evidence in files}:
        url = reverse("reporting:evidence-upload", args=[tw3.pk, requirement_id])
        assert (
            f'data-field-prefix="dok-{requirement_id}" data-testid="item-{requirement_id}"'
            f' data-upload-url="{url}"'
        ) in html
        assert contains(
            page,
            f'<label class="form-label small mt-1" for="id_dok-{requirement_id}-files">'
            "Tambah berkas (PDF, JPEG, atau PNG; boleh lebih dari satu)</label>",
        )
        assert f'name="dok-{requirement_id}-files"' in html
    assert 'class="d-none small text-secondary" data-evidence-empty' in html


@pytest.mark.django_db
def test_a_returned_report_marks_the_rejected_items_in_their_boxes(
    complete_draft, tw3, actions, client_for, officer_balikpapan, evaluator_kaltim
):
    # given the report sent and returned with one item rejected, with a note
    submit_report(complete_draft, by=officer_balikpapan, now=ON_TIME)
    rejected = requirement_of(actions[2], tw3)
    return_report(
        complete_draft,
        by=evaluator_kaltim,
        items=[(rejected, RejectionReason.UNREADABLE, "Buram.")],
    )

    # when its officer opens the form
    page = page_of(client_for(officer_balikpapan), tw3)

    # then that item's box, and only it, is marked with the reason and the note
    html = str(page)
    assert html.count("border-danger") == 1
    marked = 'class="border border-danger mb-2 p-2 rounded" data-evidence-item=""'
    assert f'{marked} data-field-prefix="dok-{rejected.pk}"' in html
    assert contains(
        page,
        '<div class="text-danger small" data-testid="rejection">'
        f"Ditolak: {RejectionReason.UNREADABLE.label} — Buram.</div>",
    )


def hostile_item(errors=()):
    form = EvidenceItemForm(prefix="dok-9")
    return EditItem(
        ref="9",
        name=HOSTILE,
        prefix="dok-9",
        upload_url="/laporan/periode/1/data-dukung/9/",
        input_id=form["files"].id_for_label,
        form=form,
        files=[
            EditFile(
                ref="41",
                url="/laporan/data-dukung/41/",
                name=HOSTILE,
                size="1 KB",
                uploaded="kemarin",
            )
        ],
        errors=list(errors),
    )


def test_names_and_errors_are_escaped():
    # given an item, a file and an error that all carry markup
    item = hostile_item(errors=[f"Berkas {HOSTILE} ditolak."])

    # when its box is written
    with translation.override("id"):
        html = evidence_boxes([item])

    # then the markup shows as text, in element content and in attributes alike
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") == 4
    box = parse_html(html)
    assert box.count(parse_html(f'<div class="fw-semibold">{escaped(HOSTILE)}</div>')) == 1


def escaped(text):
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("id", ["lepas", ">Ganti<", "Ganti berkas", "Tambah berkas"]),
        ("en", ["remove", ">Replace<", "Replace file", "Add files"]),
    ],
)
def test_the_boxes_speak_the_pages_language(language, words):
    # given an item with a file, drawn on a page in one language
    with translation.override(language):
        html = evidence_boxes([hostile_item()])

    # then its labels are in that language
    for word in words:
        assert word in html


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_upload_and_file_urls_are_the_routes_urls(complete_draft, tw3, balikpapan, prefix):
    # given a draft with files, and the portal served at the root or under a prefix
    blocks = report_requirements(balikpapan, tw3)
    evidence = evidence_by_requirement(complete_draft)
    form = OfficerReportForm(blocks, complete_draft, evidence=evidence)

    # when its sections are prepared
    with override_script_prefix(prefix):
        sections = edit_sections(form, tw3, balikpapan, rejections={}, stored={})
        expected_uploads = {
            req.pk: reverse("reporting:evidence-upload", args=[tw3.pk, req.pk])
            for block in blocks
            for req in block.requirements
        }
        expected_files = {
            e.pk: reverse("reporting:evidence-file", args=[e.pk])
            for rows in evidence.values()
            for e in rows
        }

    # then each item and file links where reverse() says, prefix included
    items = [item for section in sections for item in section.items]
    assert {int(item.ref): item.upload_url for item in items} == expected_uploads
    assert {int(f.ref): f.url for item in items for f in item.files} == expected_files
    assert all(url.startswith(prefix) for url in expected_uploads.values())
    assert len(expected_files) >= len(items) > 0


class Rejection:
    """What a box shows of an open rejection (a RevisionItem)."""

    def __init__(self, reason, note):
        self.reason, self.note = reason, note

    def get_reason_display(self):
        return RejectionReason(self.reason).label


def items():
    """Boxes in every state the form shows: files, none, rejections with and without a
    note, errors on a bound form."""
    with_files = hostile_item()
    empty = hostile_item()
    empty.files = []
    rejected = hostile_item(errors=["Berkas terlalu besar.", f"Berkas {HOSTILE} ditolak."])
    rejected.rejections = [
        Rejection(RejectionReason.UNREADABLE, "Buram & <miring>"),
        Rejection(RejectionReason.choices[1][0], ""),
    ]
    bound = hostile_item()
    bound.form = EvidenceItemForm({"dok-9-remove": ["41"]}, {}, prefix="dok-9")
    bound.form.is_valid()
    return {"files": with_files, "no files": empty, "rejected": rejected, "bound": bound}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("case", list(items()))
def test_a_box_gives_the_markup_of_the_template_it_replaced(case, language):
    item = items()[case]
    with translation.override(language):
        before = Template(REPLACED).render(Context({"item": item}))
        after = evidence_boxes([item])

    assert parse_html(after) == parse_html(before), f"\n{after}\n---\n{before}"
