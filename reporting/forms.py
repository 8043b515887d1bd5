from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProgressStatus
from .services import DraftChanges
from .uploads import EvidenceFileField, mark_oversize_uploads, quota_problems

MAX_TEXT = 20_000


class ReportMetaForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    notes = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hal yang perlu diketahui verifikator tentang laporan ini."),
    )
    proposals = forms.CharField(
        label=_("Usulan kepada Kementerian"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Misalnya tentang hak pekerja: PHK, upah terakhir, pesangon."),
    )


class EntryForm(forms.Form):
    narrative = forms.CharField(
        label=_("Capaian"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Apa yang sudah dicapai pada periode ini untuk ukuran keberhasilan di atas."),
    )
    progress = forms.ChoiceField(
        label=_("Status kemajuan"),
        choices=ProgressStatus.choices,
        help_text=_(
            "Laporkan apa adanya. Bila aksi ini belum dimulai, tuliskan alasannya di kolom capaian."
        ),
    )


class EvidenceItemForm(forms.Form):
    files = EvidenceFileField(multiple=True, required=False, label=_("Unggah berkas"))
    remove = forms.TypedMultipleChoiceField(
        label=_("Lepas dari laporan"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Berkas yang dipilih bukan milik butir ini.")},
    )

    def __init__(self, *args, current=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.current = list(current)
        if self.current:  # else the declared choices, none, stand: setting them copies twice
            self.fields["remove"].choices = [(e.pk, e.original_name) for e in self.current]


class OfficerReportForm:
    """The whole report as one form: meta fields, one entry per action, one item per document.

    Built from the report's requirements, so a field for an action or document that is not
    assigned to the region cannot be posted: it simply is not read.
    """

    def __init__(self, blocks, report, *, entries=None, evidence=None, data=None, files=None):
        self.blocks = blocks
        self.report = report
        bound = data is not None
        entries = entries or {}
        evidence = evidence or {}
        self.meta = ReportMetaForm(
            data if bound else None,
            initial={
                "revision": report.revision if report else 0,
                "notes": report.notes if report else "",
                "proposals": report.proposals if report else "",
            },
        )
        self.sections = []
        for block in blocks:
            entry = entries.get(block.action.pk)
            entry_form = EntryForm(
                data if bound else None,
                prefix=f"aksi-{block.action.pk}",
                initial={
                    "narrative": entry.narrative if entry else "",
                    "progress": entry.progress if entry else ProgressStatus.NOT_STARTED,
                },
            )
            items = [
                EvidenceItemForm(
                    data if bound else None,
                    files if bound else None,
                    prefix=f"dok-{requirement.pk}",
                    current=evidence.get(requirement.pk, ()),
                )
                for requirement in block.requirements
            ]
            self.sections.append(
                (block, entry_form, list(zip(block.requirements, items, strict=True)))
            )
        _translate_once([entry_form for _block, entry_form, _items in self.sections])

    @property
    def forms(self):
        yield self.meta
        for _block, entry_form, items in self.sections:
            yield entry_form
            for _requirement, item_form in items:
                yield item_form

    def mark_oversize_uploads(self, request):
        for _block, _entry, items in self.sections:
            for _requirement, item_form in items:
                mark_oversize_uploads(item_form, request)

    def is_valid(self):
        # A list, not a generator: every form must be validated so that all errors show at once.
        valid = all([form.is_valid() for form in self.forms])  # noqa: C419
        return valid and self._within_quotas()

    def _within_quotas(self):
        """Files per item and per report, counting what stays on the report after removals."""
        kept, added, item_forms = [], [], {}
        for _block, _entry, items in self.sections:
            for requirement, item_form in items:
                item_forms[requirement.pk] = item_form
                removed = set(item_form.cleaned_data["remove"])
                kept += [(requirement.pk, e.size) for e in item_form.current if e.pk not in removed]
                added += [
                    (requirement.pk, uploaded.inspected.size)
                    for uploaded in item_form.cleaned_data["files"]
                ]
        per_item, report = quota_problems(kept, added)
        for requirement_id, message in per_item.items():
            item_forms[requirement_id].add_error("files", message)
        if report:
            # Shown where the files were chosen: the page shows errors next to the fields.
            for requirement_id in {pk for pk, _size in added}:
                item_forms[requirement_id].add_error("files", report)
        return not per_item and not report

    def error_count(self):
        return sum(len(form.errors) for form in self.forms)

    def changes(self):
        changes = DraftChanges(
            revision=self.meta.cleaned_data["revision"],
            notes=self.meta.cleaned_data["notes"],
            proposals=self.meta.cleaned_data["proposals"],
        )
        for block, entry_form, items in self.sections:
            changes.entries[block.action.pk] = (
                entry_form.cleaned_data["narrative"],
                entry_form.cleaned_data["progress"],
            )
            for requirement, item_form in items:
                for uploaded in item_form.cleaned_data["files"]:
                    changes.uploads.append((requirement.pk, uploaded))
                changes.removals.update(item_form.cleaned_data["remove"])
        return changes

    def set_revision(self, revision):
        """After a conflict, the next save is a deliberate overwrite of what is now stored."""
        data = self.meta.data.copy()
        data["revision"] = revision
        self.meta.data = data


def _translate_once(forms_alike):
    """Put the active language's text of the lazy labels and help texts into the fields of
    these forms (all of one class), translated once for all of them.

    A lazy string is translated again each time it is used, and drawing a field uses its
    label and help text several times; the report has an entry form per action, all alike.
    (Choice labels are used once each, and setting choices costs more than translating them.)
    """
    if not forms_alike:
        return
    texts = {
        name: (None if field.label is None else str(field.label), str(field.help_text))
        for name, field in forms_alike[0].fields.items()
    }
    for form in forms_alike:
        for name, (label, help_text) in texts.items():
            field = form.fields[name]
            field.label, field.help_text = label, help_text


class ExtensionRequestForm(forms.Form):
    """An officer's request for a later due date (reporting.services.request_extension)."""

    period = forms.IntegerField(widget=forms.HiddenInput)
    due_on = forms.DateField(
        label=_("Batas lapor yang diminta"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Alasan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(forms.Form):
    """The Kanwil's answer: grant with a date, or refuse with a reason."""

    decision = forms.ChoiceField(
        choices=[("grant", _("Kabulkan")), ("refuse", _("Tolak"))], widget=forms.HiddenInput
    )
    due_on = forms.DateField(
        label=_("Batas lapor baru"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Alasan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
