"""Who may see which regions: the one place where region scoping is decided."""

from django.apps import apps
from django.db import models


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
