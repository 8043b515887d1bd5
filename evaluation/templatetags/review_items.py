"""The review screen's actions and item rows, drawn by Jinja2 macros
(jinja2/evaluation/_review_items.html).

A report has a row for every required item (14 to 30 of them), each with its files, the
earlier round's decision and the evaluator's controls. Through Django's template engine these
rows took about 175 µs each, most of the screen's rendering time; Jinja2 draws the same
markup, autoescaped, in a fraction of that. ``tests/evaluation/test_review_items.py`` holds
the Django template they came from and checks that both give the same markup, in both
languages and every state.
"""

from django import template
from django.template.backends.utils import csrf_input

from reporting.fragments import macro
from reporting.models import ProgressStatus

register = template.Library()


@register.simple_tag
def review_blocks(blocks, reviewable):
    """``{% review_blocks blocks reviewable %}``: each action's section with its rows.

    The progress of each action is named from the choices translated once for the page (a
    model's ``get_progress_display`` hashes and translates every choice at each call)."""
    return macro("evaluation/_review_items.html", "blocks")(blocks, reviewable, _progress_names())


@register.simple_tag
def review_items(requirements, reviewable):
    """``{% review_items block.requirements reviewable %}``: the rows of these items."""
    return macro("evaluation/_review_items.html", "items")(requirements, reviewable)


@register.simple_tag(takes_context=True)
def review_page(context):
    """``{% review_page %}``: the review screen below its navbar, from the view's context,
    drawn by the Jinja2 macro of jinja2/evaluation/_review_page.html."""
    report = context["report"]
    page = {
        name: context.get(name)
        for name in (
            "blocks",
            "round",
            "previous_round",
            "reviewable",
            "others_open",
            "verify_consequences",
            "return_consequences",
            "reopen_consequences",
            "note",
        )
    }
    page["status_label"] = report.get_status_display()
    form_token = csrf_input(context["request"])
    return macro("evaluation/_review_page.html", "page")(
        report, page, form_token, _progress_names()
    )


def _progress_names():
    """{value: label} of the progress choices, translated in the page's language."""
    return {value: str(label) for value, label in ProgressStatus.choices}
