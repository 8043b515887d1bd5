from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from reporting.models import (
    EvidenceRequirement,
    Period,
    RejectionReason,
    Report,
    ReportingCycle,
)


class ReviewOutcome(models.TextChoices):
    RETURNED = "returned", _("Dikembalikan untuk perbaikan")
    VERIFIED = "verified", _("Diverifikasi")


class Review(models.Model):
    """An evaluator's review of one submission round of a report."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("putaran"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("dibuka"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=10, choices=ReviewOutcome.choices, blank=True)
    note = models.TextField(_("catatan umum"), blank=True)

    class Meta:
        ordering = ["report_id", "round"]
        verbose_name = _("reviu")
        verbose_name_plural = _("reviu")
        constraints = [
            models.UniqueConstraint(fields=["report", "round"], name="unique_review_round"),
        ]

    def __str__(self):
        return f"{self.report} – putaran {self.round}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Diterima")
    REJECTED = "rejected", _("Ditolak")


class ItemDecision(models.Model):
    """The evaluator's decision on one required evidence item in one review round."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    requirement = models.ForeignKey(EvidenceRequirement, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("keputusan"), max_length=10, choices=Decision.choices)
    reason = models.CharField(
        _("alasan"), max_length=15, choices=RejectionReason.choices, blank=True
    )
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["review_id", "requirement_id"]
        verbose_name = _("keputusan butir")
        verbose_name_plural = _("keputusan butir")
        constraints = [
            models.UniqueConstraint(fields=["review", "requirement"], name="unique_item_decision"),
            models.CheckConstraint(
                name="rejection_has_reason",
                condition=~models.Q(decision="rejected") | ~models.Q(reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.requirement}: {self.get_decision_display()}"


class Score(models.Model):
    """The computed criteria and final score of one region in one period, with its inputs.

    Recomputed from the reports, reviews, revision requests and holidays by
    ``evaluation.scorecards.recompute_cycle``; the explanation page recomputes it live.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="scores")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="scores")
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completeness = models.DecimalField(_("kelengkapan (C)"), max_digits=5, decimal_places=2)
    timeliness = models.DecimalField(_("ketepatan waktu (T)"), max_digits=5, decimal_places=2)
    responsiveness = models.DecimalField(_("responsivitas (R)"), max_digits=5, decimal_places=2)
    final = models.DecimalField(_("nilai akhir (F)"), max_digits=5, decimal_places=2)
    submitted = models.BooleanField(_("dikirim"), default=False)
    on_time = models.BooleanField(_("tepat waktu"), default=False)
    # First submission relative to the region's deadline (negative: early), for tie-breaks.
    submission_offset = models.DurationField(_("selisih terhadap batas"), null=True, blank=True)
    response_days = models.JSONField(_("hari kerja menjawab perbaikan"), default=list)
    provisional = models.BooleanField(_("sementara"), default=False)
    computed_at = models.DateTimeField(_("dihitung"), auto_now=True)

    class Meta:
        ordering = ["period_id", "-final", "region__code"]
        verbose_name = _("nilai")
        verbose_name_plural = _("nilai")
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="unique_score"),
        ]
        indexes = [models.Index(fields=["period", "final"])]

    def __str__(self):
        return f"{self.region.name} {self.period}: {self.final}"


class ScoreStamp(models.Model):
    """Bumped whenever a cycle's scores are recomputed: the version cached rankings carry."""

    cycle = models.OneToOneField(
        "reporting.ReportingCycle", on_delete=models.CASCADE, related_name="score_stamp"
    )
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle_id"]
        verbose_name = _("versi nilai")
        verbose_name_plural = _("versi nilai")

    def __str__(self):
        return f"{self.cycle}: {self.version}"

    @classmethod
    def bump(cls, cycle):
        stamp, _created = cls.objects.get_or_create(cycle=cycle)
        cls.objects.filter(pk=stamp.pk).update(version=models.F("version") + 1)
        forget_versions()

    @classmethod
    def versions(cls):
        """{cycle id: version} of every cycle (see `current_versions`)."""
        return current_versions().scores

    @classmethod
    def version_of(cls, cycle):
        return current_versions().of(cycle)


class NameStamp(models.Model):
    """Bumped whenever a region or a Kanwil is added, renamed or removed, or a Kanwil's
    provinces change: the version every cached ranking and standing carries besides the
    scores', since they show those names and group regions by Kanwil. One row."""

    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("versi nama wilayah")
        verbose_name_plural = _("versi nama wilayah")

    def __str__(self):
        return str(self.version)

    @classmethod
    def bump(cls):
        stamp, _created = cls.objects.get_or_create(pk=1)
        cls.objects.filter(pk=stamp.pk).update(version=models.F("version") + 1)
        forget_versions()


@dataclass(frozen=True)
class Versions:
    """What a cached ranking or standing depends on besides its own parameters."""

    scores: dict  # {cycle id: score version}; a cycle never recomputed is at 0
    names: int

    def of(self, cycle):
        return self.scores.get(cycle.pk, 0)


VERSIONS_CACHE_KEY = "score-versions"
# Bounds how long a read that raced a bump (read before its commit, stored after the commit
# forgot the old value) could keep an old version in the shared cache.
VERSIONS_CACHE_SECONDS = 60


def forget_versions():
    # Only once the new version is visible to others: until then the old one stands. Robust:
    # a cache that fails here never turns the saved change into an error page (the entry
    # expires after VERSIONS_CACHE_SECONDS anyway).
    transaction.on_commit(lambda: cache.delete(VERSIONS_CACHE_KEY), robust=True)


def current_versions(found=None):
    """The score version of every cycle and the names version, in one query at most.

    From a shared cache when the portal has one (CACHE_URL). A per-process cache could keep
    another process's old versions, so without a shared cache they are read from the
    database each time. ``found``: what a ``cache.get_many`` over VERSIONS_CACHE_KEY and the
    keys a caller needs besides returned, for one round trip in all.
    """
    if settings.CACHE_URL:
        entry = cache.get(VERSIONS_CACHE_KEY) if found is None else found.get(VERSIONS_CACHE_KEY)
        if isinstance(entry, Versions):
            return entry
    scores = ScoreStamp.objects.order_by().values_list("cycle_id", "version")
    names = (
        NameStamp.objects.order_by()
        .annotate(no_cycle=models.Value(None, output_field=models.IntegerField()))
        .values_list("no_cycle", "version")
    )
    rows = dict(scores.union(names, all=True))
    found = Versions(names=rows.pop(None, 0), scores=rows)
    if settings.CACHE_URL:
        cache.set(VERSIONS_CACHE_KEY, found, VERSIONS_CACHE_SECONDS)
    return found


class PublicationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Publication(models.Model):
    """An admin's decision that a cycle's (or one period's) final results are public. Only
    published figures reach the public pages, the open data and the public API; a
    withdrawal keeps the row, with who withdrew it and why."""

    cycle = models.ForeignKey(
        ReportingCycle,
        verbose_name=_("siklus"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("periode"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="publications",
        help_text=_("Kosong: seluruh siklus."),
    )
    published_at = models.DateTimeField(_("diumumkan"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diumumkan oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("ditarik"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ditarik oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("alasan penarikan"), blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("pengumuman hasil")
        verbose_name_plural = _("pengumuman hasil")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(period__isnull=True, withdrawn_at__isnull=True),
                name="one_active_cycle_publication",
            ),
            models.UniqueConstraint(
                fields=["cycle", "period"],
                condition=models.Q(period__isnull=False, withdrawn_at__isnull=True),
                name="one_active_period_publication",
            ),
        ]

    def __str__(self):
        return str(self.period or self.cycle)

    @property
    def is_active(self):
        return self.withdrawn_at is None
