"""What a region must report in a period: its assigned actions, their measures and items."""

from dataclasses import dataclass

from .models import ActionMeasure


@dataclass
class ActionBlock:
    action: object
    measure: ActionMeasure
    requirements: list


def report_requirements(region, period):
    """The assigned actions that have a measure in this period, in action order (2 queries)."""
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
