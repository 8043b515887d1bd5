"""The admins' matrix page: upload for a preview, commit what was previewed, copy a cycle."""

import os
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.models import Action, ReportingCycle
from reporting.tasks import remove_expired_matrix_previews

from .conftest import stored_files
from .test_matrix_import import workbook


def upload(data=None, name="matriks.xlsx"):
    return SimpleUploadedFile(name, data if data is not None else workbook())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cast_member, status",
    [
        ("officer_balikpapan", 403),
        ("evaluator_kaltim", 403),
        ("admin_user", 200),
    ],
    indirect=["cast_member"],
)
def test_only_admins_open_the_matrix_page(cast_member, status, client_for):
    assert client_for(cast_member).get("/laporan/matriks/").status_code == status


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client):
    assert client.get("/laporan/matriks/").status_code == 302


@pytest.mark.django_db
def test_preview_then_commit_creates_the_cycle(regions, admin_user, client_for):
    client = client_for(admin_user)

    page = client.post("/laporan/matriks/", {"year": "2027", "file": upload()})

    assert page.status_code == 200
    assert not ReportingCycle.objects.filter(year=2027).exists()
    assert 'data-testid="matrix-commit"' in page.content.decode()
    digest = page.context["digest"]
    done = client.post("/laporan/matriks/simpan/", {"digest": digest})
    assert done.status_code == 302
    assert Action.objects.filter(cycle__year=2027).count() == 1


@pytest.mark.django_db
def test_a_preview_with_problems_offers_no_commit(regions, admin_user, client_for):
    client = client_for(admin_user)
    data = workbook(assignments=[["1", "99.99"]])

    page = client.post("/laporan/matriks/", {"year": "2027", "file": upload(data)})

    html = page.content.decode()
    assert "Kode wilayah “99.99” tidak dikenal" in html
    assert 'data-testid="matrix-commit"' not in html
    client.post("/laporan/matriks/simpan/", {"digest": page.context["digest"]})
    assert not ReportingCycle.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_a_hostile_file_gets_a_clear_refusal(regions, admin_user, client_for):
    page = client_for(admin_user).post(
        "/laporan/matriks/", {"year": "2027", "file": upload(b"not a workbook")}
    )

    assert page.status_code == 400
    assert "bukan XLSX" in page.content.decode()
    assert not ReportingCycle.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_a_commit_without_this_sessions_preview_changes_nothing(regions, admin_user, client_for):
    client_for(admin_user).post("/laporan/matriks/simpan/", {"digest": "0" * 64})

    assert not ReportingCycle.objects.exists()


@pytest.mark.django_db
def test_the_template_downloads_as_xlsx(admin_user, client_for):
    response = client_for(admin_user).get("/laporan/matriks/templat.xlsx")

    assert response.status_code == 200
    assert response.content.startswith(b"PK")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cast_member", ["officer_balikpapan", "evaluator_kaltim"], indirect=["cast_member"]
)
def test_only_admins_may_copy_a_cycle(cast_member, client_for, admin_user):
    from tests.support import build_period

    source = build_period([], year=2025).cycle

    answer = client_for(cast_member).post("/laporan/matriks/salin/", {"source": "2025"})

    assert answer.status_code == 403
    assert list(ReportingCycle.objects.values_list("year", flat=True)) == [source.year]


def _age(media, name, hours):
    """Make a stored file look as if it had been written ``hours`` ago."""
    path = media / name
    written = time.time() - hours * 3600
    os.utime(path, (written, written))


@pytest.mark.django_db
def test_a_previewed_workbook_left_uncommitted_for_a_day_is_removed(
    regions, admin_user, client_for, media
):
    # given: two previews left without a commit, one an hour old and one of yesterday
    client = client_for(admin_user)
    fresh = client.post("/laporan/matriks/", {"year": "2028", "file": upload()}).context["digest"]
    data = workbook(actions=[["1", "Layanan kemarin", "Perempuan", "Pengaduan ditangani"]])
    page = client.post("/laporan/matriks/", {"year": "2027", "file": upload(data)})
    stale = page.context["digest"]
    _age(media, f"imports/matriks/{fresh}.xlsx", hours=1)
    _age(media, f"imports/matriks/{stale}.xlsx", hours=25)

    # when: the periodic cleanup runs
    removed = remove_expired_matrix_previews.apply().get()

    # then: yesterday's workbook is gone and its preview can no longer be committed
    assert removed == 1
    assert stored_files(media) == [f"imports/matriks/{fresh}.xlsx"]
    client.post("/laporan/matriks/simpan/", {"digest": stale})
    assert not ReportingCycle.objects.filter(year=2027).exists()
    assert "reporting.tasks.remove_expired_matrix_previews" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


@pytest.mark.django_db
def test_previewing_the_same_workbook_again_keeps_it_for_another_day(
    regions, admin_user, client_for, media
):
    # given: a preview of yesterday
    client = client_for(admin_user)
    data = workbook()
    page = client.post("/laporan/matriks/", {"year": "2027", "file": upload(data)})
    digest = page.context["digest"]
    _age(media, f"imports/matriks/{digest}.xlsx", hours=25)

    # when: the same workbook is previewed again, then the cleanup runs
    client.post("/laporan/matriks/", {"year": "2027", "file": upload(data)})
    removed = remove_expired_matrix_previews.apply().get()

    # then: the new preview commits
    assert removed == 0
    assert client.post("/laporan/matriks/simpan/", {"digest": digest}).status_code == 302
    assert Action.objects.filter(cycle__year=2027).count() == 1
    assert stored_files(media) == []  # a committed workbook is not kept


@pytest.mark.django_db
def test_an_expired_preview_sends_back_to_the_upload_saying_why(
    regions, admin_user, client_for, media
):
    # given: a preview of yesterday whose workbook the hourly cleanup removed
    client = client_for(admin_user)
    page = client.post("/laporan/matriks/", {"year": "2027", "file": upload(name="aksi-2027.xlsx")})
    digest = page.context["digest"]
    _age(media, f"imports/matriks/{digest}.xlsx", hours=25)
    remove_expired_matrix_previews.apply()

    # when: its commit button is pressed, in Indonesian and then in English
    pressed = client.post("/laporan/matriks/simpan/", {"digest": digest})
    shown = client.get(pressed.url)
    client.post(reverse("set_language"), {"language": "en", "next": "/laporan/matriks/"})
    in_english = client.get(client.post("/laporan/matriks/simpan/", {"digest": digest}).url)

    # then: back on the upload form with the reason, nothing imported
    assert pressed.status_code == 302 and pressed.url == "/laporan/matriks/"
    html = shown.content.decode()
    assert "Pratinjau aksi-2027.xlsx sudah kedaluwarsa" in html
    assert 'data-testid="matrix-upload"' in html
    assert "Preview aksi-2027.xlsx has expired" in in_english.content.decode()
    assert not ReportingCycle.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_a_preview_older_than_a_day_commits_nothing_before_the_cleanup_ran(
    regions, admin_user, client_for, media
):
    # given: a preview of yesterday that the hourly cleanup has not removed yet
    client = client_for(admin_user)
    page = client.post("/laporan/matriks/", {"year": "2027", "file": upload(name="aksi-2027.xlsx")})
    digest = page.context["digest"]
    _age(media, f"imports/matriks/{digest}.xlsx", hours=25)

    # when: its commit button is pressed
    pressed = client.post("/laporan/matriks/simpan/", {"digest": digest})

    # then: back on the upload form saying that it expired, and nothing imported
    assert pressed.status_code == 302 and pressed.url == "/laporan/matriks/"
    assert "Pratinjau aksi-2027.xlsx sudah kedaluwarsa" in client.get(pressed.url).content.decode()
    assert not ReportingCycle.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_the_commit_pressed_again_imports_once_and_says_so(regions, admin_user, client_for):
    # given: a committed preview
    client = client_for(admin_user)
    digest = client.post("/laporan/matriks/", {"year": "2027", "file": upload()}).context["digest"]
    client.post("/laporan/matriks/simpan/", {"digest": digest})

    # when: the button is pressed again (a second tab, the back button)
    again = client.post("/laporan/matriks/simpan/", {"digest": digest}, follow=True)

    # then
    assert "Matriks 2027 dari berkas matriks.xlsx sudah diimpor" in again.content.decode()
    assert "kedaluwarsa" not in again.content.decode()
    assert Action.objects.filter(cycle__year=2027).count() == 1
