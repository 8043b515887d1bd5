"""Parts of pages that every viewer of a scope sees alike, rendered from their templates once
per score version and language and kept with the figures they show.

A whole page is kept for everyone who sees the same (``caches.shared_page``), under the
score versions: after a recomputation it is rendered again, from these parts. The heavy parts
(the overview's table and charts, the awards' proposals and candidates) hold nothing of the
viewer, so they are rendered once under the figures' key; the worker's rebuild
(``evaluation.rebuild``) renders them, then the pages, under the next version before it is
served, so that the first view after a recomputation renders nothing.
"""

from django.template.loader import render_to_string

from . import caches, recaps


def shared_html(key, template_name, context):
    """The template rendered with ``context()`` (called only when it must be rendered),
    kept under ``key``, a figures key (``caches.figures_key``): the key names the versions of
    everything the part shows, and the part must show nothing of the request or the viewer
    (it is rendered without a request)."""
    return caches.cached_figures(key, lambda: render_to_string(template_name, context()))


def overview_html(cycle, period, counted, today):
    """The national overview's table and charts (``recaps.overview_figures``), rendered."""

    def context():
        return {
            "cycle": cycle,
            "period": period,
            "counted_periods": counted,
            **recaps.overview_figures(cycle, period, counted, today),
        }

    key = recaps.overview_key("overview-html", cycle, period, counted, today)
    return shared_html(key, "evaluation/_overview_figures.html", context)
