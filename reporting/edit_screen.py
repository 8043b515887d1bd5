"""What the officer's report form shows, laid out before the template runs.

The form has a box per required evidence item (two per action, seven actions in a national
cycle), each with its files, and the template walks them all: a lookup left inside those loops
(a URL reversed, an id formatted as a number, a heading or a choice label translated, a
field's error list built, a time formatted through a filter) is repeated for every action,
item and file. Here each is done once per page or once per row, into plain values that the
template and ``reporting.templatetags.evidence_boxes`` only print.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.templatetags.moments import format_moment

from .models import TargetGroup


@dataclass
class EditFile:
    """A file still attached to an item, as its row shows it."""

    ref: str  # the id as the remove checkbox and the script name it, without number formatting
    url: str
    name: str
    size: str
    uploaded: str  # the upload time in the region's zone


@dataclass
class EditItem:
    """One required evidence item: its box, its file input and what the evaluator asked."""

    ref: str
    name: str
    prefix: str  # the item form's prefix: field names and the script's uploads use it
    upload_url: str
    input_id: str
    form: object  # EvidenceItemForm
    rejections: list = field(default_factory=list)
    files: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # on the files, then on the removals


@dataclass
class EditSection:
    """One assigned action of the period: its heading, its two fields and its items."""

    action: object
    measure: object
    ref: str
    heading: str  # "Aksi 3"
    target_group: str
    form: object  # EntryForm
    items: list
    stored_entry: object = None  # the entry stored meanwhile, shown after a conflict


def edit_sections(form, period, region, *, rejections, stored):
    """The sections of an OfficerReportForm, prepared (``rejections``: {requirement id: open
    RevisionItems}; ``stored``: {action id: the stored entry} after a conflict)."""
    groups = {value: str(label) for value, label in TargetGroup.choices}
    urls = _Urls(
        upload=url_by_id("reporting:evidence-upload", period.pk),
        file=url_by_id("reporting:evidence-file"),
    )
    sections = []
    for block, entry_form, item_forms in form.sections:
        action = block.action
        items = [
            _item(requirement, item_form, urls, region, rejections.get(requirement.pk, []))
            for requirement, item_form in item_forms
        ]
        sections.append(
            EditSection(
                action=action,
                measure=block.measure,
                ref=str(action.number),
                heading=_("Aksi %(number)s") % {"number": action.number},
                target_group=groups.get(action.target_group, action.target_group),
                form=entry_form,
                items=items,
                stored_entry=stored.get(action.pk),
            )
        )
    return sections


@dataclass(frozen=True)
class _Urls:
    upload: object  # requirement id -> its upload URL in this period
    file: object  # evidence id -> the file's URL


def url_by_id(name, *args):
    """``reverse(name, args=[*args, id])`` as a function of the id, reversed once per page.

    The id is the route's last argument, so any id's URL is that of id 0 with that segment
    replaced (and what follows it, as in ``.../0/putuskan/``, kept); reversing costs as much
    as the rest of an item's or a file's row.
    """
    url = reverse(name, args=[*args, 0])
    head, found, tail = url.rpartition("/0/")
    if not found or reverse(name, args=[*args, 1]) != f"{head}/1/{tail}":
        raise ImproperlyConfigured(f"The URL of {name} does not end with its id: {url}")
    return lambda pk: f"{head}/{pk}/{tail}"


def _item(requirement, item_form, urls, region, rejections):
    errors = item_form.errors  # empty, and nothing validated, when the form is not bound
    return EditItem(
        ref=str(requirement.pk),
        name=requirement.name,
        prefix=item_form.prefix,
        upload_url=urls.upload(requirement.pk),
        input_id=item_form["files"].id_for_label,
        form=item_form,
        rejections=rejections,
        files=[
            EditFile(
                ref=str(evidence.pk),
                url=urls.file(evidence.pk),
                name=evidence.original_name,
                size=filesizeformat(evidence.size),
                uploaded=format_moment(evidence.uploaded_at, region),
            )
            for evidence in item_form.current
        ],
        errors=[*errors.get("files", ()), *errors.get("remove", ())],
    )
