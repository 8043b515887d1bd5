import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from accounts.models import Region, RegionLevel
from evaluation.models import Score
from reporting.models import Period, Report, ReportStatus

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2147483647}
YEAR_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 32767}


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """A whole number within the database's range; anything else is a 400, not a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_SCHEMA["minimum"])
        kwargs.setdefault("max_value", ID_SCHEMA["maximum"])
        super().__init__(*args, **kwargs)


@extend_schema_field(YEAR_SCHEMA)
class YearFilter(IdFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_value=YEAR_SCHEMA["maximum"], **kwargs)


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    province = django_filters.CharFilter(method="in_province", label="province code")
    kanwil = django_filters.CharFilter(method="in_kanwil", label="Kanwil code")

    class Meta:
        model = Region
        fields = ["level", "province", "kanwil"]

    def in_province(self, queryset, name, value):
        return queryset.filter(province__code=value) | queryset.filter(code=value, level="provinsi")

    def in_kanwil(self, queryset, name, value):
        return queryset.filter(province__kanwil_link__kanwil__code=value)


class PeriodFilter(django_filters.FilterSet):
    cycle = YearFilter(field_name="cycle__year", label="cycle year")

    class Meta:
        model = Period
        fields = ["cycle"]


class ReportFilter(django_filters.FilterSet):
    period = IdFilter(field_name="period_id")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    region = django_filters.CharFilter(field_name="region__code")

    class Meta:
        model = Report
        fields = ["period", "status", "region"]


class ScoreFilter(django_filters.FilterSet):
    period = IdFilter(field_name="period_id")
    region = django_filters.CharFilter(field_name="region__code")

    class Meta:
        model = Score
        fields = ["period", "region"]
