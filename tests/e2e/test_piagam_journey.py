"""From "Terbitkan" to the public verification page, in a real browser with a real worker."""

import re
import subprocess
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from piagam.models import Certificate, CertificateStatus

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_admin_issues_the_kanwil_awards_and_anyone_verifies_the_piagam(
    page, login, admin_user, awarded_kaltim_2025, kanwil_kaltim, live_server, tmp_path
):
    login(admin_user)

    # The proposals, with the numbers behind them, before anything is issued.
    page.goto("/penghargaan/?siklus=2025&kanwil=kaltim")
    expect(page.locator("main")).to_contain_text("Kota Balikpapan")
    expect(page.locator("main")).to_contain_text("terbaik")
    page.get_by_label("Tempat").fill("Balikpapan")
    page.get_by_label("Tanggal").fill("2025-12-10")
    page.get_by_test_id("issue").click()
    dialog = page.get_by_test_id("confirm-issue")
    expect(dialog).to_contain_text("tidak dapat dibatalkan")
    dialog.get_by_role("button", name="Ya, terbitkan").click()

    # The batch page follows the worker without a reload.
    expect(page).to_have_url(re.compile(r"/penghargaan/terbitan/\d+/$"))
    certificates = page.get_by_test_id("certificates")
    expect(certificates).to_contain_text("001/PIAGAM-HAM/KALTIM/2025")
    expect(page.get_by_test_id("download")).to_be_visible(timeout=60_000)
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.ISSUED

    # The PDF downloads, reads like the real piagam, and its QR code opens the public page.
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    pdf = tmp_path / "piagam.pdf"
    download.value.save_as(pdf)
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "Pemerintah Kota Balikpapan" in text
    assert "terbaik, tercepat, dan paling responsif Tahun 2025" in text
    assert "Balikpapan, 10 Desember 2025" in text
    page_png = tmp_path / "piagam.png"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(page_png.with_suffix(""))],
        check=True,
    )
    codes = [code.text for code in zxingcpp.read_barcodes(Image.open(page_png))]
    # The worker prints the portal's SITE_URL; this test's server runs on another port.
    paths = [urlsplit(text).path for text in codes]
    assert f"/piagam/v/{certificate.token}/" in paths
    url = f"/piagam/v/{certificate.token}/"

    # Anyone, without logging in, sees that it is a specimen (demo data), never "SAH", and can
    # check the file.
    public = page.context.browser.new_context(base_url=live_server.url, locale="id-ID")
    visitor = public.new_page()
    visitor.goto(url)
    expect(visitor.get_by_test_id("status")).to_have_attribute("data-status", "spesimen")
    expect(visitor.get_by_test_id("status")).to_contain_text("SPESIMEN: bukan piagam resmi")
    expect(visitor.get_by_test_id("number")).to_have_text("001/PIAGAM-HAM/KALTIM/2025")
    expect(visitor.get_by_test_id("recipient")).to_have_text("Pemerintah Kota Balikpapan")
    expect(visitor.get_by_test_id("sha256")).to_have_text(certificate.sha256)
    visitor.get_by_test_id("file-check").locator("input[type=file]").set_input_files(pdf)
    visitor.get_by_role("button", name="Periksa berkas").click()
    visitor.wait_for_load_state()
    expect(visitor.get_by_test_id("hash-result")).to_have_attribute("data-result", "cocok")
    public.close()
