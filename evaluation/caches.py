"""The keys of cached rankings and standings, and what makes them change.

A cached entry is never invalidated in place: its key holds every version of what it shows
(the cycle's score version, bumped by a recomputation, and the names version, bumped below
when a region or a Kanwil changes), so a change gives every later read a new key and the old
entries are never read again. That holds on a per-process cache as on a shared one.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.translation import get_language

from accounts.cached import digest
from accounts.days import ministry_today
from accounts.models import Kanwil, KanwilProvince, Region

from .models import NameStamp, current_versions

# How long a computed figure is kept; its key changes with every version anyway.
FIGURES_SECONDS = 3600

# The models whose rows rankings name (regions, Kanwil) or group by (a Kanwil's provinces).
NAMED = (Region, Kanwil, KanwilProvince)


# Paths and names may hold characters a cache backend refuses in keys: the parts are hashed.
digest_key = digest


# Set while the worker builds the entries of versions not served yet (``building``): the
# versions the keys take, and the keys already stored afresh in this build.
_building = ContextVar("evaluation_caches_building", default=None)


@contextmanager
def building(versions):
    """Within it, figures are keyed by ``versions`` rather than by the served ones, and each
    is computed afresh and stored once, whatever the cache holds under its key: the worker's
    rebuild (``evaluation.rebuild``) fills the entries of the next score version before the
    pages read it, and an entry left there by an earlier, failed attempt is not trusted."""
    token = _building.set((versions, set()))
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


def viewer(user):
    """What of the user a whole cached page depends on: the scope and what base.html shows."""
    return (
        user.pk,
        *scope(user),
        user.is_staff,
        user.username,
        user.get_full_name(),
    )


# A whole page cached for one session (see ``cache_page_per_session``).
PAGE_SECONDS = 3600


def page_key(prefix, request, *extra):
    """The key of a whole page for one session and what it shows: it changes with every
    login (a new session key, hence a new CSRF secret), a change of the user's role, Kanwil,
    region or name, any recomputation of any cycle's scores, any change of a region's or a
    Kanwil's name or provinces, the language, the day, the query string and ``extra``.
    """
    versions = current_versions()
    return digest_key(
        prefix,
        request.session.session_key,
        viewer(request.user),
        sorted(versions.scores.items()),
        versions.names,
        get_language(),
        ministry_today().isoformat(),
        request.get_full_path(),
        *extra,
    )


def cache_page_per_session(prefix, extra=None):
    """Serve a session's repeated GET of the same page from the cache.

    ``extra(request)``, when given, returns what else the page shows (as a tuple), so that a
    change of it gives a new key. A request that carries flash messages is never served from
    (or stored into) the cache, so that no message is lost or shown twice.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            cacheable = (
                request.method == "GET"
                and request.session.session_key
                and "_messages" not in request.session
                and "messages" not in request.COOKIES
            )
            if not cacheable:
                return view(request, *args, **kwargs)
            key = page_key(prefix, request, *(extra(request) if extra else ()))
            body = cache.get(key)
            if body is not None:
                return HttpResponse(body)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, response.content, PAGE_SECONDS)
            return response

        return wrapper

    return decorator


def names_changed(sender, **kwargs):
    NameStamp.bump()


def connect():
    for model in NAMED:
        uid = f"evaluation-names-{model._meta.label_lower}"
        post_save.connect(names_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(names_changed, sender=model, dispatch_uid=f"{uid}-delete")
