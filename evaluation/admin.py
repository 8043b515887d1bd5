from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import Score


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    """Scores are computed (evaluation.scorecards), never typed in: shown, not edited."""

    list_display = [
        "region",
        "period",
        "final",
        "completeness",
        "timeliness",
        "responsiveness",
        "provisional",
        "computed_at",
    ]
    list_filter = ["period__cycle", "period", "provisional", "region__level"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["region", "period__cycle"]
