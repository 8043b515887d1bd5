"""Figures as the portal prints them: percentages with one decimal, "–" for no value."""

from django import template

from .. import charts

register = template.Library()


@register.filter
def percent(value):
    """A rate such as Decimal("94.1") as "94,1%" in Indonesian; "–" when there is none."""
    return charts.percent(value)
