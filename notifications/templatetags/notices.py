"""The navbar's bell (the unread count, from the cache or in one query), and the navbar itself
rendered once per kind of viewer and language, with holes for what is each viewer's own
(``evaluation.caches``)."""

from django import template
from django.utils.translation import get_language

from evaluation import caches

from ..services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notice_bell(context):
    return {"unread": unread_count(context["request"].user)}


@register.simple_tag
def hole(name):
    """Where a ``shared_nav`` leaves a viewer's own part out: ``csrf``, ``path``, ``bell``,
    ``who`` (``caches.HOLES``)."""
    return caches.HOLE_MARKS[name]


class SharedNavNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        request = context.get("request")
        viewer = caches.NavViewer.of(getattr(request, "user", None))

        def render():
            # Only the viewer's links and the language: the rest of the viewer is in holes.
            holed = context.new(
                {
                    "user": viewer,
                    "csrf_token": caches.HOLE_MARKS["csrf"],
                    "LANGUAGE_CODE": get_language(),
                }
            )
            return self.nodelist.render(holed)

        pieces = caches.nav_fragment(viewer, render)
        if caches.is_sharing():
            return "".join(
                caches.HOLE_MARKS[piece] if index % 2 else piece
                for index, piece in enumerate(pieces)
            )
        return caches.fill_pieces(pieces, request)


@register.tag
def shared_nav(parser, token):
    """``{% shared_nav %}...{% endshared_nav %}``: the navbar, rendered once per process for
    each kind of viewer (``caches.NavViewer``: it sees ``user`` as that) and language, its
    holes (``{% hole %}``, ``{% csrf_token %}``) filled for each request, or left for the
    page's shared copy to fill (``caches.shared_page``)."""
    nodelist = parser.parse(("endshared_nav",))
    parser.delete_first_token()
    return SharedNavNode(nodelist)
