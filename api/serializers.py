"""What each endpoint answers. Read-only; times in ISO 8601 with the region's offset."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from accounts.models import Kanwil, Region
from evaluation.models import Score
from piagam.verification import public_status
from reporting.models import Period, Report, ReportingCycle


class RegionSerializer(serializers.ModelSerializer):
    province_code = serializers.SerializerMethodField()
    kanwil_code = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["code", "name", "level", "province_code", "kanwil_code", "time_zone"]

    def get_province_code(self, region) -> str:
        return region.province.code if region.province_id else region.code

    def get_kanwil_code(self, region) -> str | None:
        province = region.province if region.province_id else region
        link = getattr(province, "kanwil_link", None)
        return link.kanwil.code if link else None


class KanwilSerializer(serializers.ModelSerializer):
    provinces = serializers.SerializerMethodField()

    class Meta:
        model = Kanwil
        fields = ["code", "name", "city", "provinces"]

    def get_provinces(self, kanwil) -> list[str]:
        return [link.province.code for link in kanwil.provinces.all()]


class CycleSerializer(serializers.ModelSerializer):
    published = serializers.SerializerMethodField()

    class Meta:
        model = ReportingCycle
        fields = ["year", "name", "scheme", "published"]

    def get_published(self, cycle) -> bool:
        return cycle.pk in self.context.get("published_cycles", set())


class PeriodSerializer(serializers.ModelSerializer):
    cycle = serializers.IntegerField(source="cycle.year")
    published = serializers.SerializerMethodField()

    class Meta:
        model = Period
        fields = [
            "id",
            "cycle",
            "code",
            "name",
            "starts_on",
            "ends_on",
            "opens_on",
            "due_on",
            "closes_on",
            "published",
        ]

    def get_published(self, period) -> bool:
        return period.pk in self.context.get("published_periods", set())


class PiagamSerializer(serializers.Serializer):
    number = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    verify_url = serializers.URLField()


class ResultSerializer(serializers.Serializer):
    """One region's published result (published.results.ResultRow)."""

    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    province_code = serializers.CharField()
    kanwil_code = serializers.CharField(allow_blank=True)
    final = serializers.DecimalField(max_digits=5, decimal_places=2)
    completeness = serializers.DecimalField(max_digits=5, decimal_places=2)
    timeliness = serializers.DecimalField(max_digits=5, decimal_places=2)
    responsiveness = serializers.DecimalField(max_digits=5, decimal_places=2)
    rank_national = serializers.IntegerField()
    rank_kanwil = serializers.IntegerField(allow_null=True)
    periods = serializers.IntegerField()
    submitted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    reporting_rate = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    on_time_rate = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    piagam = PiagamSerializer(many=True)


class CertificateCheckSerializer(serializers.Serializer):
    """What the public verification page says of a piagam, and nothing more."""

    number = serializers.CharField()
    status = serializers.CharField()
    recipient = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    year = serializers.IntegerField()
    issuer = serializers.CharField()
    issued_on = serializers.DateField()
    sha256 = serializers.CharField(allow_blank=True)
    revocation_reason = serializers.CharField(allow_blank=True)
    verify_url = serializers.URLField()

    @staticmethod
    def of(certificate):
        revoked = public_status(certificate) == "dicabut"
        return {
            "number": certificate.number,
            "status": public_status(certificate),
            "recipient": certificate.recipient,
            "categories": list(certificate.categories),
            "year": certificate.year,
            "issuer": certificate.issuer_name,
            "issued_on": certificate.issued_on,
            "sha256": certificate.sha256,
            "revocation_reason": certificate.revocation_reason if revoked else "",
            "verify_url": settings.SITE_URL + reverse("piagam:verify", args=[certificate.token]),
        }


def _local(value, region):
    return timezone.localtime(value, region.zone).isoformat() if value else None


class ReportStateSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    period = serializers.IntegerField(source="period_id")
    first_submitted_at = serializers.SerializerMethodField()
    last_submitted_at = serializers.SerializerMethodField()
    verified_at = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "region",
            "period",
            "status",
            "revision",
            "first_submitted_at",
            "last_submitted_at",
            "verified_at",
        ]

    def get_first_submitted_at(self, report) -> str | None:
        return _local(report.first_submitted_at, report.region)

    def get_last_submitted_at(self, report) -> str | None:
        return _local(report.last_submitted_at, report.region)

    def get_verified_at(self, report) -> str | None:
        return _local(report.verified_at, report.region)


class RateSerializer(serializers.Serializer):
    """One region's expected report of a period and how it stands (evaluation.recaps)."""

    region = serializers.CharField()
    period = serializers.IntegerField()
    status = serializers.CharField(allow_null=True)
    submitted = serializers.BooleanField()
    on_time = serializers.BooleanField()


class ScoreSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    period = serializers.IntegerField(source="period_id")

    class Meta:
        model = Score
        fields = [
            "region",
            "period",
            "final",
            "completeness",
            "timeliness",
            "responsiveness",
            "submitted",
            "on_time",
            "provisional",
        ]
