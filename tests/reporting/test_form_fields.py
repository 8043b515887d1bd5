"""The report form's fields show crispy-forms' Bootstrap 5 markup, written without its templates."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.test.html import parse_html
from django.utils import translation

from reporting.forms import (
    MAX_TEXT,
    EntryForm,
    EvidenceItemForm,
    OfficerReportForm,
    ReportMetaForm,
)
from reporting.requirements import report_requirements
from reporting.templatetags.form_fields import bootstrap_field, widget_html


class Sample(forms.Form):
    """Every kind of field the filter draws itself, and one it leaves to Django's widgets."""

    title = forms.CharField(label="Judul <b>", max_length=20, help_text="Bantuan <em>HTML</em>")
    kind = forms.ChoiceField(
        label="Jenis",
        required=False,
        choices=[("", "—"), ("Kelompok", [("a", "A & B"), ("b", "B")]), ("c", "C")],
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"class": "font-monospace"}))
    day = forms.DateField(label="Tanggal", widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    count = forms.IntegerField(label="Jumlah", min_value=0, initial=3)
    tags = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)


def same_markup(bound_field):
    # crispy changes the widget's classes in place: compare against a fresh copy of the form.
    form = bound_field.form
    fresh = type(form)(
        form.data if form.is_bound else None, prefix=form.prefix, initial=form.initial
    )
    if form.is_bound:
        fresh.is_valid()
    ours = bootstrap_field(bound_field)
    theirs = as_crispy_field(fresh[bound_field.name])
    assert parse_html(ours) == parse_html(theirs), f"\n{ours}\n---\n{theirs}"
    return ours


@pytest.mark.parametrize("name", ["narrative", "progress"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_entry_fields_unbound_match_crispy(name, language):
    form = EntryForm(prefix="aksi-7", initial={"narrative": "Sudah <40%", "progress": "done"})
    with translation.override(language):
        html = same_markup(form[name])
    assert f'id="id_aksi-7-{name}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label"), [("id", "Capaian"), ("en", "Achievement")])
def test_the_report_forms_entry_fields_match_crispy_in_the_pages_language(
    tw3, actions, balikpapan, language, label
):
    # given the report form of a period with three actions, built in the page's language
    blocks = report_requirements(balikpapan, tw3)
    with translation.override(language):
        form = OfficerReportForm(blocks, None)
        # when its entry fields are drawn, then each is what crispy draws of a fresh form
        drawn = [
            same_markup(entry_form[name])
            for _block, entry_form, _items in form.sections
            for name in ("narrative", "progress")
        ]
    assert len(drawn) == 2 * len(blocks) == 6
    assert all(f">{label}</label>" in html for html in drawn[::2])


@pytest.mark.parametrize("name", ["narrative", "progress"])
def test_entry_fields_with_errors_match_crispy(name):
    data = {"aksi-7-narrative": "x" * (MAX_TEXT + 1), "aksi-7-progress": "bukan-status"}
    form = EntryForm(data, prefix="aksi-7")
    assert not form.is_valid()
    html = same_markup(form[name])
    assert "is-invalid" in html
    assert f'aria-describedby="id_aksi-7-{name}_helptext id_aksi-7-{name}_error"' in html
    assert 'class="invalid-feedback"' in html


def test_meta_fields_bound_and_valid_match_crispy():
    form = ReportMetaForm({"revision": "2", "notes": "Catatan & <tanda>", "proposals": ""})
    assert form.is_valid()
    for name in ("notes", "proposals", "revision"):
        same_markup(form[name])


@pytest.mark.parametrize("data", [None, {}, {"title": "x" * 30, "kind": "z", "body": "ok"}])
def test_other_fields_match_crispy(data):
    form = Sample(data)
    if data is not None:
        form.is_valid()
    for name in ("title", "kind", "body", "day", "secret", "count", "tags"):
        same_markup(form[name])


class Chooser(forms.Form):
    """Widgets the ``widget`` filter leaves to Django's templates."""

    agree = forms.BooleanField(required=False)
    pick = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        choices=[("a", "A")], widget=forms.MultipleHiddenInput, required=False
    )


@pytest.mark.parametrize(
    "form",
    [
        lambda: Sample(),
        lambda: Sample({"title": "<x>", "kind": "a", "body": "", "count": "-1", "secret": '"'}),
        lambda: ReportMetaForm(initial={"revision": 4}),
        lambda: EvidenceItemForm(prefix="dok-3"),
        lambda: EvidenceItemForm({"dok-3-remove": ["9"]}, {}, prefix="dok-3"),
        lambda: Chooser({"agree": "on", "pick": "b", "many": ["a"]}),
    ],
)
def test_widget_writes_what_the_widget_template_writes(form):
    form = form()
    if form.is_bound:
        form.is_valid()
    for field in form:
        assert parse_html(widget_html(field)) == parse_html(str(field)), field.name


def test_a_widget_it_does_not_draw_is_refused():
    class Agree(forms.Form):
        ok = forms.BooleanField()

    with pytest.raises(TypeError):
        bootstrap_field(Agree()["ok"])


def test_fields_without_ids_match_crispy():
    data = {"title": "", "kind": "a", "body": "<script>"}
    ours, theirs = Sample(data, auto_id=False), Sample(data, auto_id=False)
    ours.is_valid(), theirs.is_valid()
    for name in ("title", "kind", "body"):
        assert parse_html(bootstrap_field(ours[name])) == parse_html(as_crispy_field(theirs[name]))
