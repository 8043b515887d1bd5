"""The score explanation's completeness rows, drawn by a Jinja2 macro
(jinja2/evaluation/_explain_items.html).

A report has a row for every required item (14 to 30 of them); through Django's template
engine each cost a dozen nodes, most of the table's rendering time. Jinja2 draws the same
markup, autoescaped; ``tests/evaluation/test_explain_items.py`` holds the Django template
they came from and checks that both give the same markup in both languages.
"""

from django import template

from reporting.fragments import macro

register = template.Library()


@register.simple_tag
def explain_items(items):
    """``{% explain_items x.items %}``: the rows of these (item, credit) pairs."""
    return macro("evaluation/_explain_items.html", "rows")(items)


@register.simple_tag(takes_context=True)
def explanation(context, x, region, period):
    """``{% explanation x region period %}``: the whole explanation (its criteria, arithmetic
    and inputs), drawn by the Jinja2 macro of jinja2/evaluation/_explain.html."""
    return macro("evaluation/_explain.html", "explanation")(x, region, period, context["user"])
