"""Places on reporting's pages where apps above it add a panel (the officer's standing, its
piagam), so that reporting shows them without importing, naming or loading anything of theirs.

An app registers a function in its ``AppConfig.ready``; the function takes the page's request
and named values and returns ``(template name, context)``, or None to show nothing.
"""

from collections import defaultdict

from django.template.loader import render_to_string
from django.utils.html import format_html_join

OFFICER_HOME = "officer-home"  # values: region, cycle
# One period's row on the officer's home page, beside its button.
OFFICER_HOME_ROW = "officer-home-row"  # values: region, period, report (or None), closed
REPORT_PAGE = "report-page"  # values: report, closed (reporting has closed for it)

_registry = defaultdict(list)


def register(slot, panel):
    if panel not in _registry[slot]:
        _registry[slot].append(panel)


def render(slot, request, **values):
    parts = []
    for panel in _registry[slot]:
        found = panel(request, **values)
        if found is not None:
            template_name, context = found
            parts.append((render_to_string(template_name, context, request=request),))
    return format_html_join("", "{}", parts)
