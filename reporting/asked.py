"""A region's extension requests, read by the officer's pages on every visit.

With a shared cache they are kept there with the version number of the region's own they were
read at, which every save or deletion of one of its requests moves once committed
(accounts.cached); without one they are read each time.
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from accounts.cached import bump_after_commit, digest, read_at_version

from .models import ExtensionRequest

REQUESTS_SECONDS = 3600


def _version_key(region_id):
    return f"extension-requests-version:{region_id}"


def extension_requests_of(region, period_ids):
    """The region's requests for these periods."""
    period_ids = sorted(period_ids)

    def read():
        return list(ExtensionRequest.objects.filter(region=region, period_id__in=period_ids))

    if not settings.CACHE_URL:
        return read()
    key = digest("extension-requests", region.pk, period_ids)
    return read_at_version(_version_key(region.pk), key, read, REQUESTS_SECONDS)


def request_changed(sender, instance, **kwargs):
    bump_after_commit(_version_key(instance.region_id))


def connect():
    uid = "reporting-extension-requests"
    post_save.connect(request_changed, sender=ExtensionRequest, dispatch_uid=f"{uid}-save")
    post_delete.connect(request_changed, sender=ExtensionRequest, dispatch_uid=f"{uid}-delete")
