"""The awards page, issuing, batch pages with their progress, downloads and revocation.

Certificates are created directly (or by issue_batch with its after-commit rendering left
unrun): the rendering itself is tested with a real worker elsewhere.
"""

import datetime
import hashlib
import re
import secrets
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.cached import is_cache_bookkeeping
from accounts.models import Region
from evaluation import scoring
from evaluation.models import Score
from piagam import services as certificate_service
from piagam.models import Certificate, CertificateBatch, CertificateStatus
from reporting.models import Period, Report, ReportingCycle, ReportStatus
from tests.support import in_browser, tiny_pdf

BALIKPAPAN, SAMARINDA, BONTANG, PASER, SURABAYA = "64.71", "64.72", "64.74", "64.01", "35.78"


# --- data -------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_period(cycle, order, *, closes_on):
    due_on = closes_on - datetime.timedelta(days=21)
    return Period.objects.create(
        cycle=cycle,
        order=order,
        code=f"TW{order}",
        name=f"Triwulan {order}",
        starts_on=due_on - datetime.timedelta(days=100),
        ends_on=due_on - datetime.timedelta(days=10),
        opens_on=due_on - datetime.timedelta(days=100),
        due_on=due_on,
        closes_on=closes_on,
    )


def give_score(region, period, c, t, r, *, offset_hours=None, response_days=(), verified=True):
    c, t, r = Decimal(c), Decimal(t), Decimal(r)
    Score.objects.create(
        region=region,
        period=period,
        completeness=c,
        timeliness=t,
        responsiveness=r,
        final=scoring.final_score(completeness=c, timeliness=t, responsiveness=r),
        submitted=True,
        on_time=t == 100,
        submission_offset=(
            datetime.timedelta(hours=offset_hours) if offset_hours is not None else None
        ),
        response_days=list(response_days),
    )
    Report.objects.create(
        region=region,
        period=period,
        status=ReportStatus.VERIFIED if verified else ReportStatus.SUBMITTED,
    )


@pytest.fixture
def award_cycle(regions, kanwil_kaltim, kanwil_jatim):
    """2025 with two closed periods. In Kanwil Kaltim: Balikpapan best (F 99) and quickest to
    answer, Samarinda as punctual but earlier, Bontang high but one report unverified, Paser
    below the minimum. Surabaya in Jawa Timur."""
    cycle = ReportingCycle.objects.create(year=2025, name="RANHAM 2025")
    periods = [
        make_period(cycle, 1, closes_on=datetime.date(2025, 5, 1)),
        make_period(cycle, 2, closes_on=datetime.date(2025, 8, 1)),
    ]
    region = {code: regions.get(code=code) for code in (BALIKPAPAN, SAMARINDA, BONTANG, PASER)}
    region[SURABAYA] = regions.get(code=SURABAYA)
    for period in periods:
        give_score(region[BALIKPAPAN], period, 98, 100, 100, offset_hours=-24, response_days=[1])
        give_score(region[SAMARINDA], period, 90, 100, 100, offset_hours=-52, response_days=[2])
        give_score(region[PASER], period, 50, 60, 70, offset_hours=30)
        give_score(region[SURABAYA], period, 96, 100, 100, offset_hours=-5)
    give_score(region[BONTANG], periods[0], 97, 100, 90, offset_hours=-2)
    give_score(region[BONTANG], periods[1], 97, 100, 90, offset_hours=-2, verified=False)
    return cycle


def awards_url(**params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("piagam:awards") + (f"?{query}" if query else "")


def make_batch(cycle, kanwil, by):
    return CertificateBatch.objects.create(
        cycle=cycle,
        kanwil=kanwil,
        place=kanwil.city if kanwil else "Jakarta",
        issued_on=datetime.date(2025, 12, 10),
        created_by=by,
    )


def make_certificate(batch, region, sequence, *, status=CertificateStatus.ISSUED, **fields):
    """A certificate row as issue_batch and the worker leave it, with a stored PDF if issued."""
    code = batch.kanwil.code.upper() if batch.kanwil else "PUSAT"
    year = batch.cycle.year
    token = secrets.token_urlsafe(24)
    certificate = Certificate(
        batch=batch,
        cycle=batch.cycle,
        kanwil=batch.kanwil,
        region=region,
        issuer_code=code,
        year=year,
        sequence=sequence,
        number=f"{sequence:03d}/PIAGAM-HAM/{code}/{year}",
        categories=fields.pop("categories", ["terbaik"]),
        score=Decimal("99.00"),
        recipient=region.government_name,
        issuer_name=batch.kanwil.name if batch.kanwil else "Kementerian HAM",
        place=batch.place,
        issued_on=batch.issued_on,
        signatory_name="Kepala Kantor Wilayah (contoh)",
        signatory_nip="NIP contoh 000000000000000000",
        signatory_title="Kepala Kantor Wilayah (contoh)",
        specimen=True,
        token=token,
        status=status,
        **fields,
    )
    if status in (CertificateStatus.ISSUED, CertificateStatus.REVOKED):
        pdf = tiny_pdf(f"piagam-{code}-{sequence}")
        certificate.pdf = default_storage.save(f"piagam/{year}/{token}.pdf", ContentFile(pdf))
        certificate.sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.save()
    return certificate


@pytest.fixture
def issued(media, award_cycle, kanwil_kaltim, admin_user, regions):
    """A Kaltim batch and a national batch, each with an issued piagam for Balikpapan."""
    balikpapan = regions.get(code=BALIKPAPAN)
    kaltim_batch = make_batch(award_cycle, kanwil_kaltim, admin_user)
    national_batch = make_batch(award_cycle, None, admin_user)
    return {
        "kaltim_batch": kaltim_batch,
        "national_batch": national_batch,
        "kaltim": make_certificate(kaltim_batch, balikpapan, 1),
        "national": make_certificate(national_batch, balikpapan, 1),
    }


# --- permissions ------------------------------------------------------------------------------

AWARD_REQUESTS = [awards_url(), awards_url(kanwil="kaltim"), awards_url(kanwil="jatim")]
AWARDS_MATRIX = {
    "officer_balikpapan": [403, 403, 403],
    "officer_samarinda": [403, 403, 403],
    "evaluator_kaltim": [200, 200, 404],
    "evaluator_other": [200, 404, 200],
    "admin_user": [200, 200, 200],
    "anonymous": [302, 302, 302],
}


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(AWARDS_MATRIX), indirect=True)
@pytest.mark.parametrize("index", range(len(AWARD_REQUESTS)))
def test_awards_page_permission_matrix(client_for, cast_member, request, index, award_cycle):
    name = request.node.callspec.params["cast_member"]

    response = client_for(cast_member).get(AWARD_REQUESTS[index])

    assert response.status_code == AWARDS_MATRIX[name][index]


ISSUE_MATRIX = {
    "officer_balikpapan": 403,
    "officer_samarinda": 403,
    "evaluator_kaltim": 403,
    "evaluator_other": 404,
    "admin_user": 302,
    "anonymous": 302,
}


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(ISSUE_MATRIX), indirect=True)
def test_only_admins_may_issue(client_for, cast_member, request, award_cycle, media):
    name = request.node.callspec.params["cast_member"]

    response = client_for(cast_member).post(
        awards_url(siklus=2025, kanwil="kaltim"),
        {
            "place": "Samarinda",
            "issued_on": "2025-12-10",
            "proposals": fingerprint("kaltim"),
            "confirmed": "1",
        },
    )

    assert response.status_code == ISSUE_MATRIX[name]
    expected = 2 if name == "admin_user" else 0
    assert Certificate.objects.count() == expected


def batch_requests(issued):
    kaltim, national = issued["kaltim_batch"].pk, issued["national_batch"].pk
    return [
        ("get", reverse("piagam:batch", args=[kaltim])),
        ("get", reverse("piagam:batch-status", args=[kaltim])),
        ("post", reverse("piagam:batch-retry", args=[kaltim])),
        ("get", reverse("piagam:batch", args=[national])),
        ("get", reverse("piagam:batch-status", args=[national])),
        ("post", reverse("piagam:batch-retry", args=[national])),
    ]


# A role that may never use a page gets 403 whatever the batch (nothing to learn from it);
# within the roles that may, a batch out of one's scope is 404, as if it did not exist.
BATCH_MATRIX = {
    "officer_balikpapan": [403, 403, 403, 403, 403, 403],
    "officer_samarinda": [403, 403, 403, 403, 403, 403],
    "evaluator_kaltim": [200, 200, 403, 404, 404, 403],
    "evaluator_other": [404, 404, 403, 404, 404, 403],
    "admin_user": [200, 200, 302, 200, 200, 302],
    "anonymous": [302, 302, 302, 302, 302, 302],
}


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(BATCH_MATRIX), indirect=True)
@pytest.mark.parametrize("index", range(6))
def test_batch_pages_permission_matrix(client_for, cast_member, request, index, issued):
    name = request.node.callspec.params["cast_member"]
    method, url = batch_requests(issued)[index]

    response = getattr(client_for(cast_member), method)(url)

    assert response.status_code == BATCH_MATRIX[name][index]


def certificate_requests(issued):
    kaltim, national = issued["kaltim"].pk, issued["national"].pk
    return [
        ("get", reverse("piagam:certificate-pdf", args=[kaltim])),
        ("post", reverse("piagam:certificate-revoke", args=[kaltim])),
        ("get", reverse("piagam:certificate-pdf", args=[national])),
        ("post", reverse("piagam:certificate-revoke", args=[national])),
    ]


# The recipient's officers and the issuing Kanwil's evaluators may download; only admins revoke
# (403 for every other role, whatever the piagam); a piagam out of scope is 404.
CERTIFICATE_MATRIX = {
    "officer_balikpapan": [200, 403, 200, 403],
    "officer_samarinda": [404, 403, 404, 403],
    "evaluator_kaltim": [200, 403, 404, 403],
    "evaluator_other": [404, 403, 404, 403],
    "admin_user": [200, 302, 200, 302],
    "anonymous": [302, 302, 302, 302],
}


@pytest.mark.django_db
@pytest.mark.parametrize("cast_member", list(CERTIFICATE_MATRIX), indirect=True)
@pytest.mark.parametrize("index", range(4))
def test_certificate_download_and_revoke_permission_matrix(
    client_for, cast_member, request, index, issued
):
    name = request.node.callspec.params["cast_member"]
    method, url = certificate_requests(issued)[index]

    data = {"reason": "Uji"} if method == "post" else None

    response = getattr(client_for(cast_member), method)(url, data)

    assert response.status_code == CERTIFICATE_MATRIX[name][index]
    revoked = Certificate.objects.filter(status=CertificateStatus.REVOKED).count()
    assert revoked == (1 if name == "admin_user" and method == "post" else 0)


# --- the proposals, before anything is issued -------------------------------------------------


def fingerprint(code):
    from piagam.awards import proposals
    from piagam.views import proposal_fingerprint

    kanwil = None
    if code:
        from accounts.models import Kanwil

        kanwil = Kanwil.objects.get(code=code)
    return proposal_fingerprint(proposals(ReportingCycle.objects.get(year=2025), kanwil))


@pytest.mark.django_db
def test_proposals_page_shows_the_awards_and_the_numbers_behind_them_before_issuing(
    client_for, admin_user, award_cycle
):
    # when
    response = client_for(admin_user).get(awards_url(siklus=2025, kanwil="kaltim"))

    # then: Balikpapan best and most responsive, Samarinda (earlier by two days) fastest
    lines = response.context["lines"]
    assert [(line.candidate.row.region.code, line.words) for line in lines] == [
        (BALIKPAPAN, ["terbaik", "paling responsif"]),
        (SAMARINDA, ["tercepat"]),
    ]
    assert all(line.standing is None for line in lines)
    assert not Certificate.objects.exists()
    content = response.content.decode()
    proposals_table = content.split('data-testid="proposals"')[1].split("</table>")[0]
    assert "Pemerintah Kota Balikpapan" in proposals_table
    assert "99,00" in proposals_table  # F = 0.5 * 98 + 25 + 25
    assert "1 hari sebelum batas" in proposals_table
    assert "2 hari 4 jam sebelum batas" in proposals_table
    assert "belum diterbitkan" in proposals_table
    assert 'data-testid="issue-form"' in content
    # and the regions that are not proposed say why
    notes = {c.row.region.code: c.notes for c in response.context["candidates"]}
    assert notes[BONTANG] == ["baru 1 dari 2 periode diverifikasi"]
    assert notes[PASER] == ["F di bawah nilai minimal 80,00"]
    assert notes[BALIKPAPAN] == [] and notes[SAMARINDA] == []
    assert "baru 1 dari 2 periode diverifikasi" in content
    assert SURABAYA not in notes  # another Kanwil


@pytest.mark.django_db
def test_national_proposals_span_every_kanwil(client_for, admin_user, award_cycle):
    response = client_for(admin_user).get(awards_url(siklus=2025))

    # then: Surabaya (Jawa Timur) never had to answer a return, so it is the most responsive
    lines = [(line.candidate.row.region.code, line.words) for line in response.context["lines"]]
    assert lines == [
        (BALIKPAPAN, ["terbaik"]),
        (SAMARINDA, ["tercepat"]),
        (SURABAYA, ["paling responsif"]),
    ]
    assert response.context["kanwil"] is None
    assert response.context["form"]["place"].value() == "Jakarta"


@pytest.mark.django_db
def test_evaluator_reads_its_kanwils_proposals_without_an_issue_form(
    client_for, evaluator_kaltim, award_cycle
):
    response = client_for(evaluator_kaltim).get(awards_url())

    assert response.context["kanwil"].code == "kaltim"
    assert len(response.context["lines"]) == 2
    content = response.content.decode()
    assert 'data-testid="read-only"' in content
    assert 'data-testid="issue-form"' not in content


@pytest.mark.django_db
def test_issue_form_defaults_to_the_kanwils_city_and_todays_date(
    client_for, admin_user, award_cycle
):
    response = client_for(admin_user).get(awards_url(siklus=2025, kanwil="kaltim"))

    form = response.context["form"]
    assert form["place"].value() == "Samarinda"
    assert isinstance(form["issued_on"].value(), datetime.date)


# --- issuing ----------------------------------------------------------------------------------


def issue(client, code="kaltim", **data):
    params = {"siklus": 2025, **({"kanwil": code} if code else {})}
    return client.post(
        awards_url(**params),
        {
            "place": "Samarinda",
            "issued_on": "2025-12-10",
            "proposals": fingerprint(code),
            "confirmed": "1",
            **data,
        },
    )


@pytest.mark.django_db
def test_issuing_numbers_one_piagam_per_winning_region_and_opens_the_batch(
    client_for, admin_user, award_cycle, media, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = issue(client_for(admin_user))

    # then
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("piagam:batch", args=[batch.pk])
    certificates = list(Certificate.objects.order_by("sequence"))
    assert [(c.number, c.region.code, c.categories) for c in certificates] == [
        ("001/PIAGAM-HAM/KALTIM/2025", BALIKPAPAN, ["terbaik", "paling_responsif"]),
        ("002/PIAGAM-HAM/KALTIM/2025", SAMARINDA, ["tercepat"]),
    ]
    assert {c.status for c in certificates} == {CertificateStatus.PENDING}
    assert certificates[0].place == "Samarinda"
    assert certificates[0].issued_on == datetime.date(2025, 12, 10)
    # the rendering is enqueued after commit, not run here (besides the cache's bookkeeping)
    assert len([c for c in callbacks if not is_cache_bookkeeping(c)]) == 1


@pytest.mark.django_db
def test_submitting_issue_twice_creates_one_piagam_per_region_and_an_empty_second_batch(
    client_for, admin_user, award_cycle, media, django_capture_on_commit_callbacks
):
    # given
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        first = issue(client)

        # when: the same form is sent again (a double click, a reload)
        second = issue(client)

    # then
    assert Certificate.objects.count() == 2
    assert CertificateBatch.objects.count() == 2
    assert second.status_code == 302 and second.url != first.url
    page = client.get(second.url)
    content = page.content.decode()
    assert 'data-testid="empty-batch"' in content
    assert "Penerbitan ini tidak membuat piagam baru." in content
    assert "001/PIAGAM-HAM/KALTIM/2025" in content  # the piagam the regions already hold
    assert "Tidak ada piagam baru" in " ".join(str(m) for m in page.context["messages"])
    # and the awards page shows both batches, the second marked empty
    awards = client.get(awards_url(siklus=2025, kanwil="kaltim")).content.decode()
    assert awards.count('data-testid="batch"') == 2
    assert 'data-testid="empty-batch"' in awards
    assert 'data-testid="issue-form"' not in awards
    assert 'data-testid="all-issued"' in awards


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_issue_requests_still_give_one_piagam_per_region(
    admin_user, award_cycle, media, monkeypatch
):
    # given: two browser tabs of the same admin, sending at the same moment. The requests
    # commit for real, so the rendering they enqueue is recorded instead of sent to a broker.
    enqueued = []
    monkeypatch.setattr(certificate_service, "enqueue_render", enqueued.extend)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(admin_user)
    proposals = fingerprint("kaltim")
    start = threading.Barrier(2)
    statuses = []

    def send(client):
        try:
            start.wait()
            statuses.append(issue(client, proposals=proposals).status_code)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: no error page, and the numbers are gapless
    assert statuses == [302, 302]
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == ["001/PIAGAM-HAM/KALTIM/2025", "002/PIAGAM-HAM/KALTIM/2025"]
    assert sorted(enqueued) == sorted(Certificate.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_issuing_refuses_when_the_proposals_changed_since_the_page_was_shown(
    client_for, admin_user, award_cycle, media
):
    response = issue(client_for(admin_user), proposals="64.72:terbaik:95.00")

    assert response.status_code == 302
    assert response.url == awards_url(siklus=2025, kanwil="kaltim")
    assert not Certificate.objects.exists()
    assert not CertificateBatch.objects.exists()


@pytest.mark.django_db
def test_issuing_waits_until_every_period_of_the_cycle_is_closed(
    client_for, admin_user, award_cycle, media
):
    # given: a third period still open
    make_period(award_cycle, 3, closes_on=datetime.date.today() + datetime.timedelta(days=30))

    # when
    client = client_for(admin_user)
    response = issue(client)

    # then
    assert response.status_code == 302
    assert not Certificate.objects.exists()
    page = client.get(awards_url(siklus=2025, kanwil="kaltim")).content.decode()
    assert 'data-testid="cycle-open"' in page
    assert 'data-testid="issue-form"' not in page


@pytest.mark.django_db
def test_issuing_without_any_eligible_region_creates_nothing(
    client_for, admin_user, award_cycle, media
):
    # given: no report verified any more, so nobody is eligible
    Report.objects.update(status=ReportStatus.SUBMITTED)

    # when
    client = client_for(admin_user)
    page = client.get(awards_url(siklus=2025, kanwil="kaltim")).content.decode()
    response = issue(client, proposals="")

    # then
    assert 'data-testid="no-proposals"' in page
    assert response.status_code == 302
    assert not CertificateBatch.objects.exists()


@pytest.mark.django_db
def test_issue_form_needs_a_place(client_for, admin_user, award_cycle, media):
    response = issue(client_for(admin_user), place="  ")

    assert response.status_code == 200
    assert response.context["form"].errors["place"]
    assert not CertificateBatch.objects.exists()


# --- the batch page and its progress ----------------------------------------------------------


@pytest.fixture
def mixed_batch(media, award_cycle, kanwil_kaltim, admin_user, regions):
    batch = make_batch(award_cycle, kanwil_kaltim, admin_user)
    codes = [BALIKPAPAN, SAMARINDA, BONTANG, PASER]
    statuses = [
        CertificateStatus.ISSUED,
        CertificateStatus.FAILED,
        CertificateStatus.PENDING,
        CertificateStatus.RENDERING,
    ]
    certificates = [
        make_certificate(batch, regions.get(code=code), n, status=status)
        for n, (code, status) in enumerate(zip(codes, statuses, strict=True), start=1)
    ]
    Certificate.objects.filter(pk=certificates[0].pk).update(
        needs_review=True, review_reason="Laporan TW2 Balikpapan dibuka kembali."
    )
    Certificate.objects.filter(pk=certificates[1].pk).update(error="waktu pembuatan PDF habis")
    return batch, certificates


@pytest.mark.django_db
def test_batch_page_shows_progress_flags_and_downloads_of_issued_piagam(
    client_for, admin_user, mixed_batch
):
    batch, certificates = mixed_batch

    response = client_for(admin_user).get(reverse("piagam:batch", args=[batch.pk]))

    counts = response.context["counts"]
    assert (counts.issued, counts.failed, counts.waiting, counts.total) == (1, 1, 2, 4)
    content = response.content.decode()
    assert "perlu ditinjau" in content
    assert "Laporan TW2 Balikpapan dibuka kembali." in content
    assert "waktu pembuatan PDF habis" in content
    assert 'data-status-url="' + reverse("piagam:batch-status", args=[batch.pk]) in content
    assert "js/batch-progress.js" in content
    links = {
        certificate.pk: re.search(
            rf'<tr id="piagam-{certificate.pk}".*?(<a [^>]*data-testid="download"[^>]*>)',
            content,
            re.S,
        ).group(1)
        for certificate in certificates
    }
    assert " hidden" not in links[certificates[0].pk]  # issued
    assert all(" hidden" in links[c.pk] for c in certificates[1:])  # failed, waiting
    # the revoke form waits, hidden, until the polling script sees its piagam issued
    assert content.count('<div data-show-for="issued" hidden>') == 3
    assert content.count('<div data-show-for="issued">') == 1
    assert 'data-testid="retry"' in content


@pytest.mark.django_db
def test_evaluator_sees_the_batch_without_retry_or_revoke(
    client_for, evaluator_kaltim, mixed_batch
):
    batch, _certificates = mixed_batch

    response = client_for(evaluator_kaltim).get(reverse("piagam:batch", args=[batch.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="retry"' not in content
    assert 'data-testid="revoke"' not in content
    assert "waktu pembuatan PDF habis" not in content  # technical detail for admins only


@pytest.mark.django_db
def test_batch_status_reports_counts_and_each_certificate(client_for, admin_user, mixed_batch):
    batch, certificates = mixed_batch

    data = client_for(admin_user).get(reverse("piagam:batch-status", args=[batch.pk])).json()

    assert data["finished"] is False
    assert data["counts"] == {
        "total": 4,
        "issued": 1,
        "failed": 1,
        "waiting": 2,
        "revoked": 0,
        "percent_done": 50,
    }
    by_id = {item["id"]: item for item in data["certificates"]}
    assert by_id[certificates[0].pk]["status"] == "issued"
    assert by_id[certificates[0].pk]["status_label"] == "Terbit"
    assert by_id[certificates[0].pk]["needs_review"] is True
    assert by_id[certificates[2].pk]["status_label"] == "Menunggu"


@pytest.mark.django_db
def test_retry_puts_failed_piagam_back_in_the_queue(
    client_for, admin_user, mixed_batch, django_capture_on_commit_callbacks
):
    batch, certificates = mixed_batch

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(admin_user).post(reverse("piagam:batch-retry", args=[batch.pk]))

    assert response.status_code == 302
    assert response.url == reverse("piagam:batch", args=[batch.pk])
    certificates[1].refresh_from_db()
    assert certificates[1].status == CertificateStatus.PENDING
    assert certificates[1].error == ""
    assert len([c for c in callbacks if not is_cache_bookkeeping(c)]) == 1


@pytest.mark.django_db
def test_revoking_needs_a_reason(client_for, admin_user, issued):
    certificate = issued["kaltim"]

    response = client_for(admin_user).post(
        reverse("piagam:certificate-revoke", args=[certificate.pk]), {"reason": "   "}
    )

    certificate.refresh_from_db()
    assert response.status_code == 302
    assert certificate.status == CertificateStatus.ISSUED


@pytest.mark.django_db
def test_revoking_keeps_the_number_and_records_who_and_why(client_for, admin_user, issued):
    certificate = issued["kaltim"]

    response = client_for(admin_user).post(
        reverse("piagam:certificate-revoke", args=[certificate.pk]),
        {"reason": "Nilai TW2 dikoreksi setelah audit."},
    )

    certificate.refresh_from_db()
    assert response.url == (
        reverse("piagam:batch", args=[certificate.batch_id]) + f"#piagam-{certificate.pk}"
    )
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.number == "001/PIAGAM-HAM/KALTIM/2025"
    assert certificate.revoked_by == admin_user
    assert certificate.revocation_reason == "Nilai TW2 dikoreksi setelah audit."
    page = client_for(admin_user).get(response.url).content.decode()
    assert "Nilai TW2 dikoreksi setelah audit." in page


# --- downloads --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_download_is_the_stored_pdf_as_an_attachment_named_after_the_number(
    client_for, officer_balikpapan, issued
):
    certificate = issued["kaltim"]

    response = client_for(officer_balikpapan).get(
        reverse("piagam:certificate-pdf", args=[certificate.pk])
    )

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="piagam-001-PIAGAM-HAM-KALTIM-2025.pdf"'
    )
    assert hashlib.sha256(body).hexdigest() == certificate.sha256


@pytest.mark.django_db
def test_a_revoked_piagam_is_downloadable_by_admins_only_and_marked_so(
    client_for, admin_user, officer_balikpapan, evaluator_kaltim, issued
):
    certificate = issued["kaltim"]
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.REVOKED)
    url = reverse("piagam:certificate-pdf", args=[certificate.pk])

    admin_response = client_for(admin_user).get(url)
    officer_status = client_for(officer_balikpapan).get(url).status_code
    evaluator_status = client_for(evaluator_kaltim).get(url).status_code

    assert admin_response.status_code == 200
    assert "DICABUT-piagam-001-PIAGAM-HAM-KALTIM-2025.pdf" in admin_response["Content-Disposition"]
    assert (officer_status, evaluator_status) == (404, 404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [CertificateStatus.PENDING, CertificateStatus.RENDERING, CertificateStatus.FAILED]
)
def test_a_piagam_without_its_pdf_yet_is_not_found(client_for, admin_user, mixed_batch, status):
    batch, certificates = mixed_batch
    certificate = next(c for c in certificates if c.status == status)

    response = client_for(admin_user).get(reverse("piagam:certificate-pdf", args=[certificate.pk]))

    assert response.status_code == 404


# --- query counts -----------------------------------------------------------------------------


def batch_of(size, cycle, kanwil, by, *, skip=0):
    batch = make_batch(cycle, kanwil, by)
    regions = list(Region.objects.of_kanwil(kanwil).order_by("code")[skip : skip + size])
    for n, region in enumerate(regions, start=1):
        status = [CertificateStatus.ISSUED, CertificateStatus.PENDING, CertificateStatus.FAILED][
            n % 3
        ]
        make_certificate(batch, region, skip + n, status=status, needs_review=n % 2 == 0)
    return batch


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["piagam:batch", "piagam:batch-status"])
def test_batch_page_and_status_queries_do_not_grow_with_the_batch(
    client_for, admin_user, award_cycle, kanwil_kaltim, media, name
):
    # given
    small = batch_of(2, award_cycle, kanwil_kaltim, admin_user)
    large = batch_of(10, award_cycle, kanwil_kaltim, admin_user, skip=2)
    client = client_for(admin_user)
    client.get(reverse(name, args=[small.pk]))  # warm the session

    # when
    small_count = count_queries(client, reverse(name, args=[small.pk]))
    large_count = count_queries(client, reverse(name, args=[large.pk]))

    # then
    assert small_count == large_count
    assert large_count <= 5  # 4, and the navbar bell's unread count


# --- the progress in a real browser -----------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_batch_page_follows_the_rendering_without_a_reload(
    live_server, admin_user, award_cycle, kanwil_kaltim, media, regions, monkeypatch
):
    # given: an admin watching a batch whose two piagam are still waiting
    from tests.e2e.conftest import sign_in

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    batch = make_batch(award_cycle, kanwil_kaltim, admin_user)
    first = make_certificate(batch, regions.get(code=BALIKPAPAN), 1, status="pending")
    second = make_certificate(batch, regions.get(code=SAMARINDA), 2, status="rendering")

    def watch(browser):
        page = browser.new_context(locale="id-ID", base_url=live_server.url).new_page()
        page.set_default_timeout(15_000)
        sign_in(page, admin_user)
        page.goto(reverse("piagam:batch", args=[batch.pk]))
        loads = []
        page.on("load", lambda _page: loads.append(True))
        row = page.locator(f'tr[data-certificate="{first.pk}"]')
        hidden_before = row.get_by_test_id("download").is_hidden()

        # when: the workers finish, one well and one not
        Certificate.objects.filter(pk=first.pk).update(status=CertificateStatus.ISSUED)
        Certificate.objects.filter(pk=second.pk).update(status=CertificateStatus.FAILED)
        page.wait_for_selector(f'tr[data-certificate="{second.pk}"][data-status="failed"]')

        return {
            "hidden_before": hidden_before,
            "status": row.locator('[data-field="status"]').inner_text(),
            "download": row.get_by_test_id("download").is_visible(),
            "revoke": row.get_by_test_id("revoke").is_visible(),
            "counts": [
                page.locator(f'[data-count="{name}"]').inner_text()
                for name in ("issued", "failed", "waiting")
            ],
            "retry": page.get_by_test_id("retry").is_visible(),
            "reloads": len(loads),
        }

    seen = in_browser(watch)

    # then: the page showed it within a few polls, without loading again
    assert seen == {
        "hidden_before": True,
        "status": "Terbit",
        "download": True,
        "revoke": True,
        "counts": ["1", "1", "0"],
        "retry": True,
        "reloads": 0,
    }


@pytest.mark.django_db
def test_awards_page_queries_do_not_grow_with_regions_or_batches(
    client_for, admin_user, award_cycle, kanwil_kaltim, media, regions
):
    # given: one batch of two piagam, then more scored regions and a batch of ten more
    client = client_for(admin_user)
    url = awards_url(siklus=2025, kanwil="kaltim")
    batch_of(2, award_cycle, kanwil_kaltim, admin_user, skip=4)
    client.get(url)  # warm the session
    cache.clear()  # the page and its figures are cached: measure them computed
    small_count = count_queries(client, url)
    unscored = Region.objects.of_kanwil(kanwil_kaltim).filter(scores__isnull=True)
    for region in unscored.order_by("code")[:8]:
        for period in award_cycle.periods.all():
            give_score(region, period, 85, 90, 95, offset_hours=-3)
    batch_of(10, award_cycle, kanwil_kaltim, admin_user, skip=6)

    # when
    cache.clear()
    large_count = count_queries(client, url)

    # then
    assert small_count == large_count


@pytest.mark.django_db
@pytest.mark.parametrize("shared_cache", [False, True], ids=["process-cache", "shared-cache"])
@pytest.mark.parametrize("write", ["update", "save"])
def test_the_cached_awards_page_follows_every_piagams_progress(
    client_for,
    admin_user,
    award_cycle,
    kanwil_kaltim,
    media,
    regions,
    settings,
    shared_cache,
    write,
    django_capture_on_commit_callbacks,
):
    # given: the awards page with a batch of two piagam (one waiting, one failed), shown once;
    # with a shared cache its key carries the piagam version instead of reading every piagam
    if shared_cache:
        settings.CACHE_URL = "redis://shared.example"  # the test's own cache stands in
    client = client_for(admin_user)
    url = awards_url(siklus=2025, kanwil="kaltim")
    batch = batch_of(2, award_cycle, kanwil_kaltim, admin_user, skip=4)
    assert "2 piagam: 0 terbit, 1 menunggu, 1 gagal" in client.get(url).content.decode()
    if shared_cache:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert not any("piagam_certificate" in q["sql"] for q in queries.captured_queries)

    # when: the failed one is rendered after a retry, without any score changing (a worker's
    # queryset update, or a model saved)
    with django_capture_on_commit_callbacks(execute=True):
        if write == "update":
            batch.certificates.filter(status=CertificateStatus.FAILED).update(
                status=CertificateStatus.ISSUED
            )
        else:
            failed = batch.certificates.get(status=CertificateStatus.FAILED)
            failed.status = CertificateStatus.ISSUED
            failed.save(update_fields=["status"])

    # then: the same session sees it at once
    assert "2 piagam: 1 terbit, 1 menunggu, 0 gagal" in client.get(url).content.decode()
