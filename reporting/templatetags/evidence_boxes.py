"""The report form's evidence item boxes, drawn by a Jinja2 macro
(jinja2/reporting/_evidence_boxes.html).

The form has a box per required item (two per action, seven actions in a national cycle) and
a row per file in each. Through Django's template engine every value in them cost a lookup,
a conditional escape and a node of its own, and the boxes were the larger part of the form's
rendering; Jinja2 draws the same markup, autoescaped, from the rows ``reporting.edit_screen``
prepared, in a fraction of that.
"""

from django import template

from ..fragments import macro
from .form_fields import widget_html

register = template.Library()


@register.simple_tag
def evidence_boxes(items):
    """``{% evidence_boxes section.items %}``: the boxes of these EditItems, in order."""
    return macro("reporting/_evidence_boxes.html", "boxes")(items, widget_html)
