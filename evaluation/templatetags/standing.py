"""A region's standing, for pages of other apps that show it (the officer's home page).

Kept as a template tag so that `reporting` never imports `evaluation` in Python.
"""

from django import template

from ..recaps import region_positions

register = template.Library()


@register.simple_tag
def region_standing(region, cycle):
    """The region's annual positions in its Kanwil and nationally, or None if not ranked."""
    if region is None or cycle is None:
        return None
    return region_positions(region, cycle)
