"""What a region must report in a period: its assigned actions, their measures and items."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from accounts.cached import digest, read_at_version

from .models import Action, ActionMeasure, Assignment, EvidenceRequirement
from .querysets import SETUP_VERSION_KEY, setup_changed

REQUIREMENTS_SECONDS = 3600
SETUP_MODELS = (Action, ActionMeasure, EvidenceRequirement, Assignment)


@dataclass
class ActionBlock:
    action: object
    measure: ActionMeasure
    requirements: list


def report_requirements(region, period):
    """The assigned actions that have a measure in this period, in action order.

    Two queries; with a shared cache (CACHE_URL), kept there with the setup version they were
    read at, which every write to actions, measures, required items or assignments moves once
    committed.
    """
    if not settings.CACHE_URL:
        return _read(region, period)
    return read_at_version(
        SETUP_VERSION_KEY,
        digest("requirements", region.pk, period.pk),
        lambda: _read(region, period),
        REQUIREMENTS_SECONDS,
    )


def _read(region, period):
    measures = (
        ActionMeasure.objects.filter(period=period, action__assignments__region=region)
        .select_related("action")
        .prefetch_related("requirements")
        .order_by("action__number")
    )
    return [
        ActionBlock(action=m.action, measure=m, requirements=list(m.requirements.all()))
        for m in measures
    ]


def connect():
    for model in SETUP_MODELS:
        uid = f"reporting-setup-{model._meta.label_lower}"
        post_save.connect(setup_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(setup_changed, sender=model, dispatch_uid=f"{uid}-delete")
