"""Every page states at a glance which roles may open it (``accounts.access.role_required``);
only the public pages do without."""

from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open: the piagam check (QR code and number) and the private calendar feed,
# whose token is its key. Login, logout, password reset, health checks and the language switch
# belong to accounts and the wiring, which are not walked here.
PUBLIC = {"piagam:verify", "piagam:lookup", "notifications:calendar-feed"}
APPS = {"reporting", "evaluation", "piagam", "notifications"}


def named_views(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_views(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def test_every_page_of_the_apps_states_its_roles():
    undeclared = sorted(
        name
        for name, view in named_views()
        if name.split(":")[0] in APPS
        and name not in PUBLIC
        and not getattr(view, "allowed_roles", None)
    )

    assert undeclared == []


def test_the_walk_sees_the_pages_of_every_app():
    names = {name for name, _view in named_views()}

    assert {"reporting:officer-home", "evaluation:queue", "piagam:awards"} <= names
    assert PUBLIC <= names
