"""How a signed-in person is loaded on every request."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_delete, post_save

from .cached import bump_after_commit, version
from .models import Kanwil, KanwilProvince, Region, User
from .querysets import signed_in_version_key

# Who a person is changes only when their row, or a region or Kanwil, is saved: with a shared
# cache (CACHE_URL) the loaded person is kept there, under two version numbers that such a
# save moves once it is committed (accounts.cached).
USER_SECONDS = 300
PLACES_VERSION_KEY = "users-places-version"  # any region, Kanwil or Kanwil province


def _user_key(user_id):
    return f"portal-user:{user_id}"


class PortalBackend(ModelBackend):
    """Django's ModelBackend, loading the person with what every page shows of them.

    The navbar names an officer's region or an evaluator's Kanwil, and every time on a page is
    in the zone of that region or of the Kanwil's seat (accounts.days.user_zone): loaded in the
    same query as the user, and with a shared cache kept there until one of them changes.
    """

    def get_user(self, user_id):
        if not settings.CACHE_URL:
            return self._checked(self._load(user_id))
        keys = [PLACES_VERSION_KEY, signed_in_version_key(user_id), _user_key(user_id)]
        found = cache.get_many(keys)
        versions = (
            found.get(PLACES_VERSION_KEY) or version(PLACES_VERSION_KEY),
            found.get(keys[1]) or version(keys[1]),
        )
        entry = found.get(keys[2])
        if entry is not None and entry[0] == versions:
            user = entry[1]
        else:
            user = self._load(user_id)
            if user is not None:
                cache.set(keys[2], (versions, user), USER_SECONDS)
        return self._checked(user)

    def _checked(self, user):
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _load(user_id):
        seat_zone = (
            KanwilProvince.objects.filter(kanwil=OuterRef("kanwil_id"))
            .order_by("pk")
            .values("province__time_zone")[:1]
        )
        user = (
            User._default_manager.select_related("region", "kanwil")
            .annotate(kanwil_seat_zone=Subquery(seat_zone))
            .filter(pk=user_id)
            .first()
        )
        if user is not None and user.kanwil is not None:
            user.kanwil.know_seat_zone(user.kanwil_seat_zone)
        return user


def user_changed(sender, instance, **kwargs):
    bump_after_commit(signed_in_version_key(instance.pk))


def places_changed(sender, **kwargs):
    bump_after_commit(PLACES_VERSION_KEY)


def connect():
    post_save.connect(user_changed, sender=User, dispatch_uid="portal-user-save")
    post_delete.connect(user_changed, sender=User, dispatch_uid="portal-user-delete")
    for model in (Region, Kanwil, KanwilProvince):
        uid = f"portal-user-places-{model._meta.label_lower}"
        post_save.connect(places_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(places_changed, sender=model, dispatch_uid=f"{uid}-delete")
