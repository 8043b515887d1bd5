"""Scoping of reporting data: every view fetches through ``visible_to(user)``."""

from django.db import models

from accounts.cached import bump_after_commit
from accounts.models import Region

# What regions must report (actions, their measures and required items, assignments) is kept
# in the shared cache under this number (reporting.requirements).
SETUP_VERSION_KEY = "reporting-setup-version"


def setup_changed(**kwargs):
    bump_after_commit(SETUP_VERSION_KEY)


class SetupQuerySet(models.QuerySet):
    """Writes that send no model signal still move the setup version (saves and deletions
    move it through signals: reporting.requirements.connect)."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            setup_changed()
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            setup_changed()
        return created

    def bulk_update(self, objs, *args, **kwargs):
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            setup_changed()
        return rows


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region__in=Region.objects.visible_to(user))


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__region__in=Region.objects.visible_to(user))


class ExtensionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region__in=Region.objects.visible_to(user))

    def for_period(self, region, period):
        """The region's extension of the period, or None: the one lookup of a single deadline.

        There is at most one (unique_extension): no need for the default ordering's joins."""
        return self.filter(region=region, period=period).order_by("pk").first()

    def due_dates(self):
        """{(region id, period id): extended due date} of these extensions, in one query."""
        return {
            (region_id, period_id): due_on
            for region_id, period_id, due_on in self.values_list("region_id", "period_id", "due_on")
        }
