"""What piagam adds to reporting's pages (see reporting.panels)."""

from django.conf import settings
from django.core.cache import cache

from reporting import panels

from .changes import piagam_version
from .models import Certificate, CertificateStatus
from .rendering import verification_url
from .wording import certificate_sentence

# What the panel shows of a piagam (its template, certificate_sentence, verification_url): a
# piagam row has some forty columns, and reading them all was most of the panel's cost.
SHOWN = ("issuer_name", "year", "specimen", "recipient", "number", "categories", "token")


def officer_piagam(request, *, region, cycle):
    """The piagam the officer's region received, to download, with their verification links."""
    if region is None:
        return None
    certificates = _issued(request.user, region)
    if not certificates:
        return None
    return "piagam/_officer_piagam.html", {
        "certificates": [
            (c, certificate_sentence(c), verification_url(c.token)) for c in certificates
        ]
    }


# With a shared cache, a region's issued piagam are kept under the piagam version, which any
# write to a piagam moves (piagam.changes): most regions have none, and an officer's home page
# then asks nothing of the database for this panel.
PANEL_SECONDS = 3600


def _issued(user, region):
    def read():
        return list(
            Certificate.objects.visible_to(user)
            .filter(region=region, status=CertificateStatus.ISSUED)
            .exclude(pdf="")
            .order_by("-year", "issuer_code", "pk")
            .only(*SHOWN)
        )

    if not settings.CACHE_URL or not user.is_officer or user.region_id != region.pk:
        return read()
    key = f"officer-piagam:{region.pk}:{piagam_version()}"
    found = cache.get(key)
    if found is None:
        found = read()
        cache.set(key, found, PANEL_SECONDS)
    return found


def connect():
    panels.register(panels.OFFICER_HOME, officer_piagam)
