"""Who may see which regions: the one place where region scoping is decided; and the
updates of accounts that end the sessions of those they deactivate."""

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, When

from .cached import VersionedQuerySet, bump_after_commit

HOLIDAYS_VERSION_KEY = "holidays-version"


def signed_in_version_key(user_id):
    """The version under which the shared cache keeps a signed-in person (accounts.backends):
    moved after every save of the row, and after an update that deactivates it."""
    return f"portal-user-version:{user_id}"


class RegionQuerySet(models.QuerySet):
    def provinces(self):
        return self.filter(level="provinsi")

    def of_kanwil(self, kanwil):
        """The regions whose province the Kanwil covers (a province is its own province).

        Said as "province in the Kanwil's provinces" rather than as a join through the
        province's row: every evaluator's query carries this as a subquery, and the join
        costs PostgreSQL more to plan than the rest of a one-report lookup."""
        covered = apps.get_model("accounts", "KanwilProvince").objects.filter(kanwil=kanwil)
        return self.filter(province_id__in=covered.values("province_id"))

    def visible_to(self, user):
        """Officers see their region, evaluators their Kanwil's regions, admins all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        if user.is_officer:
            return self.filter(pk=user.region_id)
        if user.is_evaluator:
            return self.of_kanwil(user.kanwil_id)
        return self.none()


class HolidayQuerySet(VersionedQuerySet):
    """Holidays: every write moves the version of the days kept in the cache
    (accounts.holidays)."""

    version_key = HOLIDAYS_VERSION_KEY


class KanwilQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        if user.is_evaluator:
            return self.filter(pk=user.kanwil_id)
        if user.is_officer:
            return self.filter(provinces__province__pk=user.region.province_id)
        return self.none()


class UserQuerySet(models.QuerySet):
    """Accounts. Every door of the ORM that deactivates an account moves its session epoch
    (``User.save``, ``update``, ``bulk_update``), so that its sessions end and a later
    reactivation brings none of them back. Raw SQL (``cursor.execute``, ``raw``) cannot be
    caught: whoever deactivates accounts in SQL must move ``session_epoch`` in the same
    statement."""

    def update(self, **kwargs):
        """Django's update; one that deactivates accounts also ends their sessions, as a save
        does (``User.save``): the epoch moves on the rows that were active, in the same
        statement, and the signed-in person kept in the shared cache is read again."""
        if kwargs.get("is_active", True) is not False or "session_epoch" in kwargs:
            return super().update(**kwargs)
        # Only a shared cache keeps signed-in people (accounts.backends) to be read again.
        ending = []
        if settings.CACHE_URL:
            ending = list(self.filter(is_active=True).values_list("pk", flat=True))
        kwargs["session_epoch"] = Case(
            When(is_active=True, then=F("session_epoch") + 1),
            default=F("session_epoch"),
            output_field=models.PositiveIntegerField(),
        )
        changed = super().update(**kwargs)
        for pk in ending:
            bump_after_commit(signed_in_version_key(pk))
        return changed

    def bulk_update(self, objs, fields, batch_size=None):
        """Django's bulk_update; one that writes ``is_active`` moves the epoch of the accounts
        it deactivates, as a save does: the batch's rows are locked and read, each object's
        epoch is set from its row (one more if the row was active and the object is not) and
        written in the same statements as the other fields. The objects keep the epoch that
        was written, so that saving one again later cannot put an older epoch back."""
        objs = list(objs)
        if "is_active" not in fields or "session_epoch" in fields or not objs:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        with transaction.atomic(using=self.db, savepoint=False):
            stored = {
                pk: (was_active, epoch)
                for pk, was_active, epoch in self.model._base_manager.using(self.db)
                .select_for_update()
                .filter(pk__in=[obj.pk for obj in objs])
                .values_list("pk", "is_active", "session_epoch")
            }
            ending = []
            for obj in objs:
                if obj.pk not in stored:
                    continue  # no such row: bulk_update leaves it out
                was_active, epoch = stored[obj.pk]
                if was_active and not obj.is_active:
                    epoch += 1
                    ending.append(obj.pk)
                obj.session_epoch = epoch
            changed = super().bulk_update(objs, [*fields, "session_epoch"], batch_size=batch_size)
        if settings.CACHE_URL:  # only a shared cache keeps signed-in people to be read again
            for pk in ending:
                bump_after_commit(signed_in_version_key(pk))
        return changed

    def officers(self):
        return self.filter(role="officer")

    def usable_password(self):
        """Accounts that can log in with a password (Django marks an unusable one with "!")."""
        return self.exclude(password="").exclude(password__startswith="!")

    def managed_by(self, user):
        """The officers a person may invite, deactivate, reactivate and unlock: admins all of
        them, a Kanwil admin those of its Kanwil's regions, everybody else nobody."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_portal_admin:
            return self.officers()
        if user.is_evaluator and user.is_kanwil_admin and user.kanwil_id:
            covered = apps.get_model("accounts", "KanwilProvince").objects.filter(
                kanwil=user.kanwil_id
            )
            return self.officers().filter(region__province_id__in=covered.values("province_id"))
        return self.none()
