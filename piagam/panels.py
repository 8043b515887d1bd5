"""What piagam adds to reporting's pages (see reporting.panels)."""

from reporting import panels

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
    certificates = list(
        Certificate.objects.visible_to(request.user)
        .filter(region=region, status=CertificateStatus.ISSUED)
        .exclude(pdf="")
        .order_by("-year", "issuer_code", "pk")
        .only(*SHOWN)
    )
    if not certificates:
        return None
    return "piagam/_officer_piagam.html", {
        "certificates": [
            (c, certificate_sentence(c), verification_url(c.token)) for c in certificates
        ]
    }


def connect():
    panels.register(panels.OFFICER_HOME, officer_piagam)
