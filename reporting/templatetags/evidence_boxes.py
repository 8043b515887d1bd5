"""The report form's evidence item boxes, written in Python.

The form has a box per required item (two per action, seven actions in a national cycle) and
a row per file in each. Through the template engine every value in them cost a lookup, a
conditional escape and a node of its own, and the boxes were the larger part of the form's
rendering; here they are joined as strings from the rows ``reporting.edit_screen`` prepared,
each value passing ``form_fields.escape_html``, and marked safe once.

The page's script (``static/js/evidence-upload.js``) and the browser tests find the boxes by
their data attributes, ids and field names: ``data-evidence-item``, ``data-upload-url``,
``data-field-prefix``, ``data-evidence-list``, ``data-evidence-id``, ``data-replace``,
``data-evidence-empty``, the ``<prefix>-remove`` check boxes and the file input.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .form_fields import escape_html, widget_html

register = template.Library()

_LABELS = object()  # the render's labels, in its render_context


def _labels():
    return {
        "rejected": escape_html(_("Ditolak")),
        "remove": escape_html(_("lepas")),
        "replace": escape_html(pgettext("berkas", "Ganti")),
        "no_files": escape_html(_("Belum ada berkas.")),
        "add_files": escape_html(_("Tambah berkas (PDF, JPEG, atau PNG; boleh lebih dari satu)")),
    }


@register.simple_tag(takes_context=True)
def evidence_boxes(context, items):
    """``{% evidence_boxes section.items %}``: the boxes of these EditItems, in order."""
    labels = context.render_context.get(_LABELS)
    if labels is None:  # translated once per page, not once per action
        labels = context.render_context[_LABELS] = _labels()
    return mark_safe("".join(_box(item, labels) for item in items))  # noqa: S308 - escaped


def _box(item, labels):
    ref, prefix = escape_html(item.ref), escape_html(item.prefix)
    parts = [
        f'<div class="border rounded p-2 mb-2{" border-danger" if item.rejections else ""}"'
        f' data-testid="item-{ref}" id="butir-{ref}" data-evidence-item'
        f' data-upload-url="{escape_html(item.upload_url)}" data-field-prefix="{prefix}">\n',
        f'  <div class="fw-semibold">{escape_html(item.name)}</div>\n',
    ]
    for rejection in item.rejections:
        note = f" — {escape_html(rejection.note)}" if rejection.note else ""
        parts.append(
            f'  <div class="text-danger small" data-testid="rejection">{labels["rejected"]}:'
            f" {escape_html(rejection.get_reason_display())}{note}</div>\n"
        )
    parts.append('  <ul class="list-unstyled small my-1" data-evidence-list>\n')
    for file in item.files:
        replace_this = escape_html(_("Ganti berkas %(name)s") % {"name": file.name})
        parts.append(
            f'    <li data-evidence-id="{escape_html(file.ref)}">\n'
            f'      <a href="{escape_html(file.url)}" target="_blank" rel="noopener">'
            f"{escape_html(file.name)}</a>\n"
            f'      <span class="text-secondary">({escape_html(file.size)},'
            f" {escape_html(file.uploaded)})</span>\n"
            f'      <label class="ms-2"><input type="checkbox" name="{prefix}-remove"'
            f' value="{escape_html(file.ref)}"> {labels["remove"]}</label>\n'
            f'      <button type="button" class="btn btn-link btn-sm p-0 ms-2 align-baseline"'
            f' data-replace hidden aria-label="{replace_this}">{labels["replace"]}</button>\n'
            "    </li>\n"
        )
    parts += [
        "  </ul>\n",
        f'  <div class="small text-secondary{" d-none" if item.files else ""}"'
        f" data-evidence-empty>{labels['no_files']}</div>\n",
        f'  <label class="form-label small mt-1" for="{escape_html(item.input_id)}">'
        f"{labels['add_files']}</label>\n",
        f"  {widget_html(item.form['files'])}\n",
    ]
    parts += (
        f'  <div class="invalid-feedback d-block">{escape_html(error)}</div>\n'
        for error in item.errors
    )
    parts.append("</div>\n")
    return "".join(parts)
