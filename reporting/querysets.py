"""Scoping of reporting data: every view fetches through ``visible_to(user)``."""

from django.db import models

from accounts.cached import VersionedQuerySet, bump_after_commit
from accounts.models import Region

# What regions must report (actions, their measures and required items, assignments) is kept
# in the shared cache under this number (reporting.requirements).
SETUP_VERSION_KEY = "reporting-setup-version"


def setup_changed(**kwargs):
    bump_after_commit(SETUP_VERSION_KEY)


class SetupQuerySet(VersionedQuerySet):
    """Every write to actions, measures, required items and assignments moves the setup
    version (saves and deletions through signals: reporting.requirements.connect)."""

    version_key = SETUP_VERSION_KEY


def _one_or_none(queryset):
    """The row of a lookup a unique constraint answers with at most one row, or None.

    Unordered: ordering, even by the primary key, costs the ORM's compiler more than running
    such a lookup costs the database (``first()`` would order by the key).
    """
    return next(iter(queryset.order_by()[:1]), None)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region__in=Region.objects.visible_to(user))

    def for_period(self, region, period):
        """The region's report of the period, or None (unique_report)."""
        return _one_or_none(self.filter(region=region, period=period))


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__region__in=Region.objects.visible_to(user))


class ExtensionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region__in=Region.objects.visible_to(user))

    def for_period(self, region, period):
        """The region's extension of the period, or None: the one lookup of a single deadline
        (unique_extension)."""
        return _one_or_none(self.filter(region=region, period=period))

    def due_dates(self):
        """{(region id, period id): extended due date} of these extensions, in one query."""
        return {
            (region_id, period_id): due_on
            for region_id, period_id, due_on in self.values_list("region_id", "period_id", "due_on")
        }
