"""The officer's home page shows the piagam its region received, to download and to verify."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from piagam.models import Certificate, CertificateStatus
from piagam.panels import officer_piagam
from tests.piagam.test_certificate_views import (
    BALIKPAPAN,
    SAMARINDA,
    make_batch,
    make_certificate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://ranham.example.go.id"
    return settings.MEDIA_ROOT


@pytest.fixture
def piagam_2025(media, regions, kanwil_kaltim, admin_user):
    """2025 (one period) with an issued Kaltim piagam for Balikpapan, a national one still
    rendering, and an issued one for Samarinda."""
    from tests.support import build_period

    period = build_period([regions.get(code=BALIKPAPAN), regions.get(code=SAMARINDA)])
    batch = make_batch(period.cycle, kanwil_kaltim, admin_user)
    national = make_batch(period.cycle, None, admin_user)
    return {
        "balikpapan": make_certificate(batch, regions.get(code=BALIKPAPAN), 1),
        "rendering": make_certificate(
            national, regions.get(code=BALIKPAPAN), 1, status=CertificateStatus.RENDERING
        ),
        "samarinda": make_certificate(batch, regions.get(code=SAMARINDA), 2),
    }


def home(client):
    return client.get(reverse("reporting:officer-home") + "?siklus=2025").content.decode()


def test_the_officer_sees_its_regions_issued_piagam_with_download_and_verification_links(
    piagam_2025, client_for, officer_balikpapan
):
    # given Balikpapan's issued piagam
    certificate = piagam_2025["balikpapan"]

    # when its officer opens the home page
    page = home(client_for(officer_balikpapan))

    # then the panel names it, offers the PDF and the public verification address
    assert 'data-testid="officer-piagam"' in page
    assert certificate.number in page
    assert reverse("piagam:certificate-pdf", args=[certificate.pk]) in page
    verify = "https://ranham.example.go.id" + reverse("piagam:verify", args=[certificate.token])
    assert f'href="{verify}"' in page
    # and only issued piagam: not the one still rendering, not Samarinda's
    assert piagam_2025["rendering"].number not in page
    assert piagam_2025["samarinda"].number not in page


def test_the_download_link_of_the_panel_gives_the_officer_the_pdf(
    piagam_2025, client_for, officer_balikpapan
):
    # given the link the panel shows
    certificate = piagam_2025["balikpapan"]

    # when the officer follows it
    response = client_for(officer_balikpapan).get(
        reverse("piagam:certificate-pdf", args=[certificate.pk])
    )

    # then the PDF comes
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_regions_officer_does_not_see_it(piagam_2025, client_for, officer_samarinda):
    # given Samarinda's officer, whose region has its own piagam
    balikpapan = piagam_2025["balikpapan"]

    # when it opens its home page
    page = home(client_for(officer_samarinda))

    # then it sees Samarinda's piagam only, never Balikpapan's nor its links
    assert piagam_2025["samarinda"].number in page
    assert balikpapan.number not in page
    assert balikpapan.token not in page
    assert reverse("piagam:certificate-pdf", args=[balikpapan.pk]) not in page


def test_no_panel_without_an_issued_piagam(piagam_2025, client_for, officer_balikpapan):
    # given Balikpapan's piagam was revoked
    certificate = piagam_2025["balikpapan"]
    certificate.status = CertificateStatus.REVOKED
    certificate.save(update_fields=["status"])

    # when its officer opens the home page
    page = home(client_for(officer_balikpapan))

    # then there is no panel
    assert 'data-testid="officer-piagam"' not in page
    assert certificate.number not in page


def test_the_panel_reads_its_piagam_in_one_query(
    piagam_2025, rf, officer_balikpapan, django_assert_num_queries
):
    # given the national piagam for Balikpapan issued too, beside the Kaltim one
    national = piagam_2025["rendering"]
    national.delete()
    make_certificate(national.batch, officer_balikpapan.region, 2)
    request = rf.get("/")
    request.user = officer_balikpapan

    # when the panel is drawn, template and all
    with django_assert_num_queries(1):
        template_name, context = officer_piagam(
            request, region=officer_balikpapan.region, cycle=None
        )
        html = render_to_string(template_name, context)

    # then both piagam are in it, each with its sentence and verification link
    assert len(context["certificates"]) == 2
    assert html.count('data-testid="verify-link"') == 2
    assert html.count("sebagai daerah dengan pelaporan Aksi HAM terbaik Tahun 2025") == 2


def test_with_a_shared_cache_the_panel_follows_every_issue_and_revocation(
    piagam_2025, client_for, officer_balikpapan, settings, django_capture_on_commit_callbacks
):
    # given the shared cache's path: the region's piagam kept under the piagam version
    settings.CACHE_URL = "redis://shared.example"  # the test's own cache stands in
    client = client_for(officer_balikpapan)
    certificate = piagam_2025["balikpapan"]
    rendering = piagam_2025["rendering"]
    assert certificate.number in home(client)
    with CaptureQueriesContext(connection) as queries:
        home(client)
    assert not any("piagam_certificate" in q["sql"] for q in queries.captured_queries)

    # when the national piagam is issued and the Kaltim one revoked
    with django_capture_on_commit_callbacks(execute=True):
        Certificate.objects.filter(pk=rendering.pk).update(
            status=CertificateStatus.ISSUED, pdf=certificate.pdf.name
        )
        certificate.status = CertificateStatus.REVOKED
        certificate.save(update_fields=["status"])

    # then the officer's next visit shows exactly that
    page = home(client)
    assert rendering.number in page
    assert certificate.number not in page
