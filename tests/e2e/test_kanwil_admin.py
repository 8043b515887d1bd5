"""A Kanwil admin in the browser: the readiness board of its own regions, with the counts the
database gives; an officer deactivated through the confirmation page, whose open session ends
at its next click; and another Kanwil's officers and regions out of reach (404, never listed).

Only the data the board needs is built: the two Kanwil of the cast, a few officers in each
state (active, invited, none) and one without a confirmed contact."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts import invitations
from accounts.models import AuditAction, AuditEvent, Invitation, Region, Role, User
from tests.conftest import make_user, second_factor_device
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__axe-core__/axe.min.js"
PHONE = {"width": 390, "height": 844}
COUNTS = ["active", "invited", "nobody", "unreachable"]


def officer(username, region, *, confirmed=True, invited_by=None):
    """An officer with a password of their own, or (``invited_by``) one invited who has not
    set it yet; ``confirmed``: with a confirmed e-mail (reachable)."""
    person = make_user(
        username,
        role=Role.OFFICER,
        region=region,
        first_name="Petugas",
        last_name=region.name.split(" ", 1)[1],
        email=f"{username}@example.id",
        email_confirmed_at=timezone.now() if confirmed else None,
    )
    if invited_by is not None:
        person.set_unusable_password()
        person.save(update_fields=["password"])
        invitations.invite(person, by=invited_by)
    return person


def expected_counts(kanwil):
    """The board's figures for ``kanwil`` worked out here from the rows, region by region
    (accounts/board.py says what each state means), not with the board's own queries."""
    found = dict.fromkeys(COUNTS, 0)
    regions = Region.objects.filter(province__kanwil_link__kanwil=kanwil)
    for region in regions:
        officers = [o for o in User.objects.filter(role=Role.OFFICER, region=region) if o.is_active]
        latest = {
            o.pk: Invitation.objects.filter(user=o).order_by("-created_at").first()
            for o in officers
        }
        if any(o.has_usable_password() for o in officers):
            found["active"] += 1
        elif any(
            not o.has_usable_password()
            and latest[o.pk] is not None
            and latest[o.pk].accepted_at is None
            and latest[o.pk].revoked_at is None
            for o in officers
        ):
            found["invited"] += 1
        else:
            found["nobody"] += 1
        found["unreachable"] += sum(
            1 for o in officers if o.email_confirmed_at is None and o.phone_confirmed_at is None
        )
    return found, {region.code for region in regions}


def shown_counts(page):
    return {name: int(page.get_by_test_id(f"count-{name}").inner_text()) for name in COUNTS}


def shown_regions(page):
    rows = page.get_by_test_id("board").locator("tbody tr[data-testid^='region-']")
    return {
        code.removeprefix("region-")
        for code in rows.evaluate_all("rows => rows.map(row => row.dataset.testid)")
    }


def serious_violations(page):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (package.json pins axe-core)")
    page.add_script_tag(url=AXE_URL)
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => ["critical", "serious"].includes(v.impact))
            .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))"""
    )


@pytest.fixture
def round_in_two_kanwil(kanwil_kaltim, kanwil_jatim, evaluator_kaltim, regions):
    """Kaltim's Kanwil admin; in its regions two officers with a password (Samarinda's
    reachable, Balikpapan's not), one invited (Bontang) and a region with both (Tarakan: the
    invited one not reachable yet); in Jawa Timur's, an officer of Surabaya."""
    evaluator_kaltim.is_kanwil_admin = True
    evaluator_kaltim.save(update_fields=["is_kanwil_admin"])
    # Not required of an evaluator, but this one has an authenticator: the real second step.
    second_factor_device(evaluator_kaltim)
    region = {code: regions.get(code=code) for code in ("64.71", "64.72", "64.74", "65.71")}
    officers = {
        "balikpapan": officer("petugas.bpn", region["64.71"], confirmed=False),
        "samarinda": officer("petugas.smd", region["64.72"]),
        "bontang": officer(
            "petugas.btg", region["64.74"], confirmed=False, invited_by=evaluator_kaltim
        ),
        "tarakan": officer("petugas.trk", region["65.71"]),
        "tarakan_new": officer(
            "petugas.trk2", region["65.71"], confirmed=False, invited_by=evaluator_kaltim
        ),
        "surabaya": officer("petugas.sby", regions.get(code="35.78")),
    }
    return evaluator_kaltim, officers


def test_a_kanwil_admin_deactivates_an_officer_and_never_reaches_another_kanwils(
    browser, page, live_server, kanwil_kaltim, round_in_two_kanwil
):
    kanwil_admin, officers = round_in_two_kanwil
    leaving, other = officers["samarinda"], officers["surabaya"]

    # given: the officer of Samarinda is at work in a browser of their own
    elsewhere = browser.new_context(locale="id-ID", base_url=live_server.url)
    officer_page = sign_in(elsewhere.new_page(), leaving)
    officer_page.goto("/laporan/")
    expect(officer_page.get_by_test_id("who")).to_contain_text("Kota Samarinda")

    # when: the Kanwil admin logs in (password, then the authenticator's code) and opens the board
    sign_in(page, kanwil_admin)
    expect(page.get_by_test_id("who")).to_contain_text(kanwil_kaltim.name)
    page.goto("/akun/kesiapan/")

    # then: the counts are the database's for the Kanwil's own regions, and only those are listed
    before, own_regions = expected_counts(kanwil_kaltim)
    assert before == {"active": 3, "invited": 1, "nobody": 13, "unreachable": 3}
    assert shown_counts(page) == before
    expect(page.get_by_test_id("board-counts")).to_contain_text(f"dari {len(own_regions)} wilayah")
    assert shown_regions(page) == own_regions
    assert not any(code.startswith("35") for code in shown_regions(page))
    expect(page.get_by_label("Provinsi")).not_to_contain_text("Jawa Timur")
    row = page.get_by_test_id(f"officer-{leaving.pk}")
    expect(row.locator(".badge").first).to_have_text("aktif")

    # when: the admin deactivates the officer of Samarinda through the confirmation page
    row.get_by_role("link", name="Nonaktifkan").click()
    expect(page.get_by_role("heading", name="Nonaktifkan petugas")).to_be_visible()
    expect(page.get_by_test_id("question")).to_contain_text("Petugas Samarinda")
    expect(page.get_by_test_id("question")).to_contain_text("sesinya yang sedang berjalan berakhir")
    page.get_by_role("button", name="Ya, lanjutkan").click()

    # then: back on the board the officer is inactive, Samarinda has nobody, the counts follow
    expect(page).to_have_url(re.compile(r"/akun/kesiapan/"))
    expect(page.get_by_role("alert").first).to_contain_text("Petugas Samarinda dinonaktifkan.")
    row = page.get_by_test_id(f"officer-{leaving.pk}")
    expect(row.locator(".badge").first).to_have_text("nonaktif")
    expect(row.get_by_role("link", name="Aktifkan kembali")).to_be_visible()
    expect(page.get_by_test_id("region-64.72")).to_have_attribute("data-state", "kosong")
    after, _regions = expected_counts(kanwil_kaltim)
    assert after == {**before, "active": before["active"] - 1, "nobody": before["nobody"] + 1}
    assert shown_counts(page) == after
    leaving.refresh_from_db()
    assert not leaving.is_active and leaving.session_epoch == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.USER_DEACTIVATED, object_id=str(leaving.pk), actor=kanwil_admin
    ).exists()

    # then: the officer's open page, reloaded, lands on the login page
    officer_page.reload()
    expect(officer_page).to_have_url(re.compile(r"/masuk/"))
    expect(officer_page.get_by_label("Nama pengguna")).to_be_visible()
    expect(officer_page.get_by_test_id("who")).to_have_count(0)
    elsewhere.close()

    # then: another Kanwil's officer is not found, by any of the management addresses
    for action in ("nonaktifkan", "aktifkan", "buka-kunci", "undang-ulang"):
        response = page.goto(f"/akun/petugas/{other.pk}/{action}/")
        assert response.status == 404, action
    other.refresh_from_db()
    assert other.is_active and other.session_epoch == 0

    # and the board at a phone's width scrolls not sideways and has nothing serious for axe
    page.set_viewport_size(PHONE)
    page.route(
        f"**{AXE_URL}",
        lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"),
    )
    page.goto("/akun/kesiapan/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []
