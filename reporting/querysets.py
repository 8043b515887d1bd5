"""Scoping of reporting data: every view fetches through ``visible_to(user)``."""

from django.db import models

from accounts.models import Region


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
