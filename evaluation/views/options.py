"""``<option>`` lists built once in the view: a select of many options rendered by the
template costs a loop, a comparison and two lookups per option on every request."""

from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

SELECTED = mark_safe(" selected")


def option_tags(choices, selected=None):
    """``<option value="v" selected>label</option>`` for each (value, label) pair, escaped as
    the template would escape them; the one whose value is ``selected`` is marked."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SELECTED if value == selected else "", label) for value, label in choices),
    )
