"""The review screen's item rows, written in Python with the markup of the template they replace.

A report has a row for every required item (14 to 30 of them), each with its files, the
earlier round's decision and the evaluator's controls. Drawn by the template language, these
rows took about 175 µs each, most of the screen's rendering time; joined here as strings they
take a fraction of that. ``tests/evaluation/test_review_items.py`` holds the template they
came from and checks that both give the same markup, in both languages.

Every value put into the markup passes ``reporting``'s ``escape_html`` (``conditional_escape``
without its lazy-string wrapper); the row is marked safe once.
"""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reporting.templatetags.form_fields import escape_html

register = template.Library()

_LABELS = "review-item-labels"


def _labels():
    """The row's fixed words, translated once per page rather than once per row."""
    return {
        "carried": escape_html(_("diterima di putaran sebelumnya")),
        "changed": escape_html(_("berkas berubah: perlu diputuskan")),
        "new": escape_html(_("baru")),
        "duplicate": escape_html(_("juga dipakai")),
        "preview": escape_html(_("Pratinjau")),
        "no_files": escape_html(_("Tidak ada berkas.")),
        "decision": escape_html(_("Keputusan")),
        "accept": escape_html(_("Terima")),
        "reject": escape_html(_("Tolak")),
        "reason": escape_html(_("Alasan penolakan")),
        "reason_prompt": escape_html(_("Alasan penolakan…")),
        "note": escape_html(_("Catatan untuk daerah")),
    }


def _file(evidence, words):
    url, name = escape_html(evidence["url"]), escape_html(evidence["original_name"])
    badges = []
    if evidence["is_new"]:
        badges.append(
            f'<span class="badge text-bg-primary" data-testid="new-file">{words["new"]}</span>'
        )
    if evidence["duplicates"]:
        badges.append(
            '<span class="badge text-bg-warning" data-testid="duplicate">'
            f"{words['duplicate']}: {escape_html(evidence['duplicates'])}</span>"
        )
    if evidence["content_type"] == "application/pdf":
        preview = (
            f'<iframe src="{url}" title="{name}" loading="lazy" '
            'class="w-100 border evidence-frame"></iframe>'
        )
    else:
        preview = f'<img src="{url}" alt="{name}" loading="lazy" class="img-fluid border">'
    return (
        f'<div class="small"><a href="{url}" target="_blank" rel="noopener">{name}</a> '
        f'<span class="text-secondary">({escape_html(filesizeformat(evidence["size"]))})</span> '
        f"{' '.join(badges)}</div>"
        f'<details class="mb-1"><summary class="small">{words["preview"]}</summary>'
        f"{preview}</details>"
    )


def _controls(req, words):
    ref = escape_html(req.ref)
    accepted = " checked" if req.chosen == "accepted" else ""
    rejected = " checked" if req.chosen == "rejected" else ""
    note = escape_html(req.posted.note) if req.posted and req.posted.note else ""
    invalid = " is-invalid" if req.problem else ""
    problem = (
        f'<div class="invalid-feedback d-block" data-testid="item-problem">'
        f"{escape_html(req.problem)}</div>"
        if req.problem
        else ""
    )
    return (
        '<div class="row g-2 align-items-center mt-1"><div class="col-auto">'
        f'<div class="btn-group btn-group-sm" role="group" aria-label="{words["decision"]}">'
        f'<input type="radio" class="btn-check" name="keputusan-{ref}" id="terima-{ref}" '
        f'value="accepted"{accepted}>'
        f'<label class="btn btn-outline-success" for="terima-{ref}">{words["accept"]}</label>'
        f'<input type="radio" class="btn-check" name="keputusan-{ref}" id="tolak-{ref}" '
        f'value="rejected"{rejected}>'
        f'<label class="btn btn-outline-danger" for="tolak-{ref}">{words["reject"]}</label>'
        "</div></div>"
        '<div class="col-md-4">'
        f'<select class="form-select form-select-sm" name="alasan-{ref}" '
        f'aria-label="{words["reason"]}">'
        f'<option value="">{words["reason_prompt"]}</option>{escape_html(req.reason_options)}'
        "</select></div>"
        f'<div class="col-md"><input class="form-control form-control-sm{invalid}" '
        f'name="catatan-{ref}" placeholder="{words["note"]}" aria-label="{words["note"]}" '
        f'value="{note}"></div></div>'
        f"{problem}"
    )


@register.simple_tag(takes_context=True)
def review_item(context, req, reviewable):
    """``{% review_item req reviewable %}``: one required item's row of the review screen."""
    words = context.render_context.get(_LABELS)
    if words is None:
        words = context.render_context[_LABELS] = _labels()
    if req.carried:
        badge = (
            '<span class="badge text-bg-light border fw-normal" data-testid="carried">'
            f"{words['carried']}</span>"
        )
    elif req.changed:
        badge = (
            '<span class="badge text-bg-info fw-normal" data-testid="changed">'
            f"{words['changed']}</span>"
        )
    else:
        badge = ""
    previous = (
        f'<div class="small text-secondary">{escape_html(req.previous.summary)}</div>'
        if req.previous
        else ""
    )
    files = "".join(_file(evidence, words) for evidence in req.files) or (
        f'<div class="small text-danger">{words["no_files"]}</div>'
    )
    border = " border-danger" if req.problem else ""
    carried = ' data-carried="1"' if req.carried else ""
    # Safe: every value above went through escape_html.
    return mark_safe(  # noqa: S308
        f'<div class="border rounded p-2 mb-2{border}" '
        f'data-testid="item-{escape_html(req.ref)}"{carried}>'
        '<div class="d-flex flex-wrap justify-content-between gap-2">'
        f'<div class="fw-semibold">{escape_html(req.name)} {badge}</div>{previous}</div>'
        f"{files}"
        f"{_controls(req, words) if reviewable else ''}"
        "</div>"
    )
