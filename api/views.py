"""/api/v1/: public reads (regions, Kanwil, cycles, periods, published results, piagam
checks) and, for national systems with a key, report states, rates and scores as they stand,
through the same scoping querysets as the portal's pages. No rules of its own."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.cached import digest
from accounts.models import Kanwil, Region
from evaluation.models import Score
from evaluation.publication import published_cycle_ids, published_period_ids
from evaluation.recaps import (
    expected_reports,
    expected_version_and_entry,
    expected_version_keys,
    period_with_state,
)
from piagam import verification
from published.results import cycle_results, published_cycle, state_version
from reporting.models import Period, Report, ReportingCycle

from . import filters, serializers


class PublicRead:
    """Anyone may read; the figures are reference data or published. A key is optional (its
    holder is then counted by its own throttle)."""

    permission_classes = [AllowAny]


class CachedList:
    """A public list is the same for every client: its rendered page is kept in the shared
    cache, with its ETag (the digest of its content that api.urls would otherwise compute on
    every answer), under the version of everything published
    (``published.results.state_version``) and the full path with its query. Authentication
    and throttles run first, as for any read."""

    CACHE_SECONDS = 300  # reference data (names, Kanwil links) change rarely, without a version

    def list(self, request, *args, **kwargs):
        parts = (state_version(), request.get_full_path())
        key = "api-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        found = cache.get(key)
        if found is None:
            content = JSONRenderer().render(super().list(request, *args, **kwargs).data)
            found = (quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()), content)
            cache.set(key, found, self.CACHE_SECONDS)
        etag, content = found
        response = HttpResponse(content, content_type="application/json")
        response["ETag"] = etag
        return response


class KeyRead:
    """Only a national system with a key; it sees what its key's scope allows."""

    permission_classes = [IsAuthenticated]


class RegionList(PublicRead, CachedList, generics.ListAPIView):
    """Every province, kabupaten and kota with its Kemendagri code, time zone and Kanwil."""

    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter
    queryset = Region.objects.select_related(
        "province__kanwil_link__kanwil", "kanwil_link__kanwil"
    ).order_by("code")


class RegionDetail(PublicRead, generics.RetrieveAPIView):
    serializer_class = serializers.RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{2}(\.[0-9]{2})?"
    queryset = RegionList.queryset


class KanwilList(PublicRead, CachedList, generics.ListAPIView):
    """The ministry's regional offices and the provinces each covers."""

    serializer_class = serializers.KanwilSerializer
    queryset = Kanwil.objects.prefetch_related("provinces__province").order_by("code")


class CycleList(PublicRead, CachedList, generics.ListAPIView):
    """Reporting cycles (years) and whether their results are published."""

    serializer_class = serializers.CycleSerializer
    queryset = ReportingCycle.objects.order_by("-year")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "published_cycles": published_cycle_ids()}


class PeriodList(PublicRead, CachedList, generics.ListAPIView):
    """Reporting periods with their dates; filter by cycle year."""

    serializer_class = serializers.PeriodSerializer
    filterset_class = filters.PeriodFilter
    queryset = Period.objects.select_related("cycle").order_by("cycle__year", "order")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "published_periods": published_period_ids()}


@extend_schema(
    parameters=[
        OpenApiParameter("kanwil", OpenApiTypes.STR, description="Kanwil code"),
        OpenApiParameter("province", OpenApiTypes.STR, description="province code"),
    ]
)
class ResultList(PublicRead, CachedList, generics.ListAPIView):
    """A published cycle's final results per region, in national rank order."""

    serializer_class = serializers.ResultSerializer
    filter_backends = []

    def get_queryset(self):
        cycle = published_cycle(self.kwargs["year"])
        if cycle is None:
            raise Http404
        rows = cycle_results(cycle)
        kanwil = self.request.query_params.get("kanwil")
        province = self.request.query_params.get("province")
        if kanwil:
            rows = [row for row in rows if row.kanwil_code == kanwil]
        if province:
            rows = [row for row in rows if row.province_code == province]
        return rows


class PiagamCheck(PublicRead, generics.GenericAPIView):
    """A piagam's public status by the token of its QR code."""

    serializer_class = serializers.CertificateCheckSerializer

    def get(self, request, token):
        certificate = verification.find_by_token(token)
        if certificate is None:
            raise Http404
        return Response(
            self.get_serializer(serializers.CertificateCheckSerializer.of(certificate)).data
        )


class ReportStates(KeyRead, generics.ListAPIView):
    """Report states of the regions in the key's scope; filter by period, status, region."""

    serializer_class = serializers.ReportStateSerializer
    filterset_class = filters.ReportFilter

    def get_queryset(self):
        return (
            Report.objects.visible_to(self.request.user)
            .select_related("region")
            .order_by("period_id", "region__code")
        )


@extend_schema(
    parameters=[
        OpenApiParameter("period", filters.ID_SCHEMA, required=True, description="period id")
    ]
)
class Rates(KeyRead, generics.ListAPIView):
    """Each expected report of a period in the key's scope: submitted, on time, state. The
    same figures as the portal's reporting and on-time rates (evaluation.recaps).

    With a shared cache (CACHE_URL) the answer is kept whole there, one entry per period,
    key scope and requested address, together with its ETag: a digest of everything it
    shows (``evaluation.recaps.expected_version``: the period's dates, reports and
    extensions read from the rows, the setup and names versions), the scope and the address.
    The versions and the entry are read in the throttle's round trip (``read_ahead``), or
    in one of their own without a throttle; a matching If-None-Match gets 304 without the
    rates computed. Without a shared cache, the ETag is of the content
    (api.urls)."""

    serializer_class = serializers.RateSerializer  # the schema; rows are written as they are
    filter_backends = []
    CACHE_SECONDS = 3600

    def list(self, request, *args, **kwargs):
        period = period_with_state(self._period_id())
        if period is None:
            raise Http404
        if not settings.CACHE_URL:
            return HttpResponse(self._render(period), content_type="application/json")
        where = self._where()
        key = self._entry_key(period.pk)
        # Read with the key's count when the throttle could (api.throttles), else here.
        found = getattr(request, "read_ahead", None)
        state, entry = expected_version_and_entry(period, key, found)
        etag = '"' + hashlib.sha256(repr((state, *where)).encode()).hexdigest()[:32] + '"'
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            if entry is not None and entry[0] == etag:
                content = entry[1]
            else:
                content = self._render(period)
                cache.set(key, (etag, content), self.CACHE_SECONDS)
            response = HttpResponse(content, content_type="application/json")
        response["ETag"] = etag
        return response

    def read_ahead(self, request):
        """The cache entries the answer reads, for the throttle's round trip."""
        if not settings.CACHE_URL:
            return ()
        try:
            period_id = self._period_id()
        except ValidationError:
            return ()  # answered 400 by the view
        return expected_version_keys(self._entry_key(period_id))

    def _entry_key(self, period_id):
        return digest("api-rates", period_id, *self._where())

    def _where(self):
        """Whose answer and at which address (the page links name the host)."""
        holder = self.request.user
        return (holder.scope, holder.kanwil_id, self.request.build_absolute_uri())

    def _period_id(self):
        try:
            period_id = int(self.request.query_params.get("period", ""))
            if not filters.ID_SCHEMA["minimum"] <= period_id <= filters.ID_SCHEMA["maximum"]:
                raise ValueError
        except ValueError:
            raise ValidationError({"period": ["A period id is required."]}) from None
        return period_id

    def _render(self, period):
        regions = Region.objects.visible_to(self.request.user)
        rows = sorted(
            (
                {
                    "region": entry.region_code,
                    "period": entry.period_id,
                    "status": entry.status,
                    "submitted": entry.submitted,
                    "on_time": entry.on_time,
                }
                for entry in expected_reports([period], regions=regions)
            ),
            key=lambda row: row["region"],
        )
        # Plain values already: the page is written as it is, without a serializer per field.
        page = self.paginate_queryset(rows)
        return JSONRenderer().render(self.get_paginated_response(page).data)


class Scores(KeyRead, generics.ListAPIView):
    """Scores as they stand (provisional until every submitted report is verified)."""

    serializer_class = serializers.ScoreSerializer
    filterset_class = filters.ScoreFilter

    def get_queryset(self):
        return (
            Score.objects.filter(region__in=Region.objects.visible_to(self.request.user))
            .select_related("region")
            .order_by("period_id", "region__code")
        )
