"""The keys of cached rankings and standings, and what makes them change.

A cached entry is never invalidated in place: its key holds every version of what it shows
(the cycle's score version, bumped by a recomputation, and the names version, bumped below
when a region or a Kanwil changes), so a change gives every later read a new key and the old
entries are never read again. That holds on a per-process cache as on a shared one.
"""

import logging
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import astuple, dataclass
from functools import wraps
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape, format_html
from django.utils.translation import get_language

from accounts.access import ADMIN, EVALUATOR, OFFICER, has_role
from accounts.cached import digest
from accounts.days import ministry_today
from accounts.models import Kanwil, KanwilProvince, Region, User

from .models import NameStamp, current_versions

logger = logging.getLogger(__name__)

# How long a computed figure is kept; its key changes with every version anyway.
FIGURES_SECONDS = 3600

# The models whose rows rankings name (regions, Kanwil) or group by (a Kanwil's provinces).
NAMED = (Region, Kanwil, KanwilProvince)


# Paths and names may hold characters a cache backend refuses in keys: the parts are hashed.
digest_key = digest


# Set while the worker builds the entries of versions not served yet (``building``): the
# versions the keys take, and the keys already stored afresh in this build.
_building = ContextVar("evaluation_caches_building", default=None)


# Within a build, the shared pages are rendered ahead (``render_ahead``) for this long at
# most: past it, the first viewers of the pages left render them, as without a build.
AHEAD_SECONDS = 60


@contextmanager
def building(versions, *, ahead_seconds=AHEAD_SECONDS):
    """Within it, figures are keyed by ``versions`` rather than by the served ones, and each
    is computed afresh and stored once, whatever the cache holds under its key: the worker's
    rebuild (``evaluation.rebuild``) fills the entries of the next score version before the
    pages read it, and an entry left there by an earlier, failed attempt is not trusted."""
    token = _building.set((versions, set(), time.monotonic() + ahead_seconds))
    try:
        yield
    finally:
        _building.reset(token)


def versions_in_use():
    """The versions cached figures are keyed by: those being built, or the served ones."""
    found = _building.get()
    return found[0] if found is not None else current_versions()


def standings_key(cycle, versions, today):
    """One entry per cycle, score version, names version and day: every region's position."""
    return f"standings:{cycle.pk}:{versions.of(cycle)}:{versions.names}:{today.isoformat()}"


def region_standing_key(cycle, versions, today, region_id):
    """One region's positions, from the standings entry of the same versions and day."""
    return f"{standings_key(cycle, versions, today)}:{region_id}"


def figures_key(prefix, cycle_id, *parts, versions=None):
    """A figure of one cycle computed from its scores and the regions' names and groups:
    the key holds the cycle's score version and the names version, so a recomputation of the
    cycle or a renamed or regrouped region or Kanwil gives every later read a new key."""
    versions = versions or versions_in_use()
    return digest_key(prefix, cycle_id, versions.scores.get(cycle_id, 0), versions.names, *parts)


def cached_figures(key, compute, seconds=FIGURES_SECONDS):
    """The value cached under ``key``, computed and stored when missing (or, in ``building``,
    not yet stored by this build)."""
    build = _building.get()
    if build is not None and key not in build[1]:
        found = compute()
        cache.set(key, found, seconds)
        build[1].add(key)
        return found
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def store_figures(entries, seconds=FIGURES_SECONDS):
    """Store several computed figures at once (in ``building``, as stored by this build)."""
    cache.set_many(entries, seconds)
    build = _building.get()
    if build is not None:
        build[1].update(entries)


def scope(user):
    """What of the user decides which rankings and regions they may see (see visible_to)."""
    return (user.role, user.kanwil_id, user.region_id, user.is_superuser, user.is_active)


@dataclass(frozen=True)
class NavViewer:
    """What base.html's navbar shows of the viewer, apart from its holes: which links (the
    role flags, staff, Kanwil admin). The navbar is rendered with this stand-in for the user,
    so that it can show nothing else of them."""

    is_authenticated: bool
    is_officer: bool
    is_evaluator: bool
    is_portal_admin: bool
    is_staff: bool
    is_kanwil_admin: bool

    @classmethod
    def of(cls, user):
        return cls(*(bool(getattr(user, name, False)) for name in NAV_FLAGS))


NAV_FLAGS = tuple(NavViewer.__dataclass_fields__)


def viewer_class(user):
    """What of the viewer a page shared by its viewers depends on: what they may see (the
    scope, which also gives the zone times are shown in) and the navbar's links."""
    return (*scope(user), *astuple(NavViewer.of(user)))


# --- holes: what a shared copy leaves out of one viewer's own -------------------------------
#
# A copy of a page or of the navbar that several viewers share holds, where each viewer sees
# their own, an HTML comment that autoescaped data can never produce (``<`` is always
# escaped), filled for each request: the CSRF token of every form, the address the language
# switcher returns to, the notification bell and who is signed in.

HOLE_TEMPLATES = {"bell": "_nav_bell.html", "who": "_nav_who.html"}
HOLES = ("csrf", "path", *HOLE_TEMPLATES)
HOLE_MARKS = {name: format_html("<!--ranham:{}-->", name) for name in HOLES}
_HOLE = re.compile("<!--ranham:({})-->".format("|".join(HOLES)))
_HOLE_BYTES = re.compile(_HOLE.pattern.encode())
# Every {% csrf_token %} of a page (Django's tag writes exactly this input).
_CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')
_CSRF_HOLE = rb"\1" + HOLE_MARKS["csrf"].encode() + rb"\2"

_sharing = ContextVar("evaluation_caches_sharing", default=False)


@contextmanager
def sharing():
    """Within it, the page being rendered is a shared copy: its navbar keeps its holes."""
    token = _sharing.set(True)
    try:
        yield
    finally:
        _sharing.reset(token)


def is_sharing():
    return _sharing.get()


class HoleValues(dict):
    """The request's own value of each hole, each computed once (the two forms of a page
    carry the same token, as with Django's own context)."""

    def __init__(self, request):
        super().__init__()
        self.request = request

    def __missing__(self, name):
        request = self.request
        if request is None:  # a page rendered without a request shows no one's token or path
            value = ""
        elif name == "csrf":
            value = escape(get_token(request))
        elif name == "path":
            value = escape(request.get_full_path())
        else:
            value = render_to_string(
                HOLE_TEMPLATES[name], {"request": request, "user": request.user}
            )
        self[name] = value
        return value


def holed_pieces(text):
    """``text`` cut at its holes: literal text at even places, the holes' names between."""
    return _HOLE.split(text)


def fill_pieces(pieces, request):
    """The text of ``holed_pieces`` with the request's own values in its holes."""
    values = HoleValues(request)
    return "".join(values[piece] if index % 2 else piece for index, piece in enumerate(pieces))


def _fill_page(pieces, request):
    values = HoleValues(request)
    return b"".join(
        values[piece.decode()].encode() if index % 2 else piece
        for index, piece in enumerate(pieces)
    )


def _page_pieces(content):
    """A rendered page as it is kept for everyone: its forms' CSRF tokens made holes too."""
    return _HOLE_BYTES.split(_CSRF_INPUT.sub(_CSRF_HOLE, content))


# The navbar rendered with its holes, per process (it shows no data: only the viewer's links,
# in a language); see ``nav_fragment``.
_navs = {}


def nav_fragment(viewer, render):
    """The navbar's pieces for a ``NavViewer`` in the active language, rendered by
    ``render()`` once per process. It holds no figure or name, so nothing but a change of
    settings (tests) makes it stale; with DEBUG it is rendered on every page, so that an
    edited template shows at once."""
    if settings.DEBUG:
        return holed_pieces(render())
    key = (viewer, get_language(), get_script_prefix())
    found = _navs.get(key)
    if found is None:
        found = _navs[key] = holed_pieces(render())
    return found


@receiver(setting_changed)
def _forget_navs(**kwargs):
    _navs.clear()


# --- whole pages shared by their viewers ------------------------------------------------------

SHARED_PAGE_SECONDS = 3600


def shared_page_key(prefix, request, *extra):
    """The key of a whole page as everyone who sees the same sees it: the viewer's class
    (``viewer_class``), every cycle's score version and the names version, the language, the
    day, the address and ``extra``. Nothing of the session: its own parts are holes."""
    versions = versions_in_use()
    return digest_key(
        prefix,
        viewer_class(request.user),
        sorted(versions.scores.items()),
        versions.names,
        get_language(),
        ministry_today().isoformat(),
        request.get_full_path(),
        *extra,
    )


def _shareable(request):
    """A GET without flash messages (none is lost or shown twice) by a signed-in viewer."""
    return (
        request.method == "GET"
        and getattr(request.user, "is_authenticated", False)
        and "_messages" not in request.session
        and "messages" not in request.COOKIES
    )


def shared_page(prefix, extra=None):
    """Serve a GET of the page from one copy kept for everyone who sees the same.

    ``extra(request)``, when given, returns what else the page shows (as a tuple). The copy
    is rendered with holes (see above) and each response fills them for its own request. In
    the worker's ``building`` a page is rendered afresh under the next versions
    (``render_ahead``), whatever the cache holds.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _shareable(request):
                return view(request, *args, **kwargs)
            key = shared_page_key(prefix, request, *(extra(request) if extra else ()))
            pieces = cache.get(key) if _building.get() is None else None
            if pieces is not None:
                return HttpResponse(_fill_page(pieces, request))
            with sharing():
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            if response.streaming:
                return response
            pieces = _page_pieces(response.content)
            if response.status_code == 200:
                cache.set(key, pieces, SHARED_PAGE_SECONDS)
            response.content = _fill_page(pieces, request)
            return response

        return wrapper

    return decorator


def viewers_by_class(*roles):
    """One active user of each ``viewer_class`` among those with one of ``roles``
    (``accounts.access.has_role``)."""
    allowed = Q(pk__in=[])
    if ADMIN in roles:
        allowed |= Q(role=ADMIN) | Q(is_superuser=True)
    if EVALUATOR in roles:
        allowed |= Q(role=EVALUATOR, kanwil__isnull=False)
    if OFFICER in roles:
        allowed |= Q(role=OFFICER, region__isnull=False)
    firsts = (
        User.objects.filter(allowed, is_active=True)
        .order_by()
        .values("role", "kanwil_id", "region_id", "is_superuser", "is_staff", "is_kanwil_admin")
        .annotate(first=Min("pk"))
        .values("first")
    )
    chosen = {}
    for user in User.objects.filter(pk__in=firsts).select_related("region", "kanwil"):
        if has_role(user, roles):
            chosen.setdefault(viewer_class(user), user)
    return list(chosen.values())


def _request_as(user, address):
    """A GET of ``address`` by ``user`` in the active language, as the middleware leaves it
    for a view (a session without messages)."""
    path, _sep, query = address.partition("?")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {"QUERY_STRING": query, "SERVER_NAME": "worker", "SERVER_PORT": "80"}
    request.GET = QueryDict(query)
    request.user = user
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.LANGUAGE_CODE = get_language()
    return request


def render_ahead(view, addresses, users):
    """In ``building``, render the shared page ``view`` (a ``shared_page``) at each address
    for each of ``users`` (one per class, ``viewers_by_class``) in the active language,
    through the view itself and under the versions being built: once they are served, these
    first views are hits. Stops at the build's deadline; a page that fails is logged and
    left to its first viewer, never keeping the new scores from being served. Returns how
    many pages were rendered."""
    deadline = _building.get()[2]
    rendered = 0
    for user in users:
        for address in addresses:
            if time.monotonic() > deadline:
                logger.warning("Pages not rendered ahead: past the build's time (%s)", address)
                return rendered
            try:
                with transaction.atomic():  # a failed page leaves the build's transaction usable
                    response = view(_request_as(user, address))
            except (Http404, PermissionDenied):
                continue
            except Exception:
                logger.exception("Page not rendered ahead: %s for user %s", address, user.pk)
                continue
            rendered += response.status_code == 200
    return rendered


def names_changed(sender, **kwargs):
    NameStamp.bump()


def connect():
    for model in NAMED:
        uid = f"evaluation-names-{model._meta.label_lower}"
        post_save.connect(names_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(names_changed, sender=model, dispatch_uid=f"{uid}-delete")
