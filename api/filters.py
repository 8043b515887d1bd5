import django_filters

from accounts.models import Region, RegionLevel
from evaluation.models import Score
from reporting.models import Period, Report, ReportStatus


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
    cycle = django_filters.NumberFilter(field_name="cycle__year", label="cycle year")

    class Meta:
        model = Period
        fields = ["cycle"]


class ReportFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period_id")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    region = django_filters.CharFilter(field_name="region__code")

    class Meta:
        model = Report
        fields = ["period", "status", "region"]


class ScoreFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period_id")
    region = django_filters.CharFilter(field_name="region__code")

    class Meta:
        model = Score
        fields = ["period", "region"]
