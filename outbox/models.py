"""The outbox: what a change asks to happen after it is committed, written in the same
transaction as the change, and carried out by a worker (at least once, by id)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RUNNING = "running", _("Sedang dikerjakan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class Entry(models.Model):
    """One side effect of a committed change: a topic that names its handler and the ids it
    needs. A worker claims it with a lease; a killed worker's entry is taken again when the
    lease runs out; a failing one is tried again with backoff, then shown as failed."""

    topic = models.CharField(_("topik"), max_length=80)
    payload = models.JSONField(_("data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    # Not before this time: the first run, and the next one after a failure (backoff).
    available_at = models.DateTimeField(_("boleh dikerjakan sejak"))
    # While running: the worker holds the entry until then; afterwards anyone may take it.
    lease_until = models.DateTimeField(_("dipegang sampai"), null=True, blank=True)
    # When it was last handed to the broker: the sweep does not queue it again too soon.
    queued_at = models.DateTimeField(_("diantrekan"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    done_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pekerjaan setelah simpan")
        verbose_name_plural = _("pekerjaan setelah simpan")
        indexes = [
            models.Index(
                fields=["status", "available_at"],
                name="outbox_open_entries",
                condition=models.Q(status__in=["pending", "running"]),
            )
        ]

    def __str__(self):
        return f"{self.topic} #{self.pk}: {self.status}"
