"""The keys of cached rankings and standings, and what makes them change.

A cached entry is never invalidated in place: its key holds every version of what it shows
(the cycle's score version, bumped by a recomputation, and the names version, bumped below
when a region or a Kanwil changes), so a change gives every later read a new key and the old
entries are never read again. That holds on a per-process cache as on a shared one.
"""

import hashlib

from django.db.models.signals import post_delete, post_save

from accounts.models import Kanwil, KanwilProvince, Region

from .models import NameStamp

# The models whose rows rankings name (regions, Kanwil) or group by (a Kanwil's provinces).
NAMED = (Region, Kanwil, KanwilProvince)


def digest_key(prefix, *parts):
    # Paths and names may hold characters a cache backend refuses in keys: hash the parts.
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"{prefix}:{digest}"


def standings_key(cycle, versions, today):
    """One entry per cycle, score version, names version and day: every region's position."""
    return f"standings:{cycle.pk}:{versions.of(cycle)}:{versions.names}:{today.isoformat()}"


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


def names_changed(sender, **kwargs):
    NameStamp.bump()


def connect():
    for model in NAMED:
        uid = f"evaluation-names-{model._meta.label_lower}"
        post_save.connect(names_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(names_changed, sender=model, dispatch_uid=f"{uid}-delete")
