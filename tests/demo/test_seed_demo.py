import hashlib
import io
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.days import ministry_today
from accounts.models import Invitation, Kanwil, Region, Role, User
from accounts.services import load_regions, sync_holidays
from demo.story import (
    EARLY_REGIONS,
    INVITED_REGIONS,
    SILENT_REGION,
    open_period,
    settle_notices,
)
from evaluation.models import ItemDecision, Review, Score
from evaluation.rankings import cycle_ranking
from evaluation.scorecards import explain
from notifications.models import Kind, Notice
from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    EventKind,
    Evidence,
    EvidenceRequirement,
    ExtensionRequest,
    ExtensionRequestStatus,
    Period,
    Report,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    ReportVersion,
    RevisionRequest,
)
from reporting.uploads import inspect_upload
from tests.evaluation import test_exports as exports


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo` run once for the module (it builds some thousand evidence files), in one
    transaction rolled back at the end; each test runs in a savepoint inside it."""
    from django.conf import settings

    # The demo writes real evidence files: keep them out of var/media.
    media = tmp_path_factory.mktemp("demo-media")
    old_media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, media
    printed = io.StringIO()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            if not Region.objects.filter(code="64.71").exists():
                load_regions()
            # As `make demo` does through load_reference_data: responsiveness counts working
            # days.
            sync_holidays([2025, 2026])
            call_command("seed_demo", stdout=printed)
            yield SimpleNamespace(media_root=media, printed=printed.getvalue())
            transaction.set_rollback(True)
    finally:
        settings.MEDIA_ROOT = old_media


@pytest.fixture(autouse=True)
def media_root(demo, settings, db):
    settings.MEDIA_ROOT = demo.media_root
    return demo.media_root


def round2(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.django_db
def test_demo_builds_cycle_2025_with_four_quarters_and_seven_actions(regions):
    cycle = ReportingCycle.objects.get(year=2025)
    assert cycle.scheme == "quarterly"
    periods = list(cycle.periods.values_list("code", "due_on"))
    assert [code for code, _due in periods] == ["TW1", "TW2", "TW3", "TW4"]
    assert str(dict(periods)["TW3"]) == "2025-10-10"
    actions = Action.objects.filter(cycle=cycle)
    assert actions.count() == 7
    assert set(actions.values_list("target_group", flat=True)) == {
        "perempuan",
        "anak",
        "disabilitas",
        "masyarakat_adat",
    }
    # Each period asks two evidence items of each of the seven actions: 14 per report.
    tw3 = cycle.periods.get(code="TW3")
    assert EvidenceRequirement.objects.filter(measure__period=tw3).count() == 14


@pytest.mark.django_db
def test_demo_assigns_every_action_to_every_kaltim_and_kaltara_region(regions):
    kanwil = Kanwil.objects.get(code="kaltim")
    covered = regions.of_kanwil(kanwil)
    assert covered.count() == 17  # 11 in Kaltim, 6 in Kaltara, provinces included
    assert set(covered.values_list("province__code", flat=True)) == {"64", "65"}
    cycle = ReportingCycle.objects.get(year=2025)
    assert Assignment.objects.filter(action__cycle=cycle).count() == 17 * 7


@pytest.mark.django_db
def test_demo_users_log_in_with_the_printed_passwords(regions, demo):
    printed = demo.printed

    for username, role in [
        ("petugas.balikpapan", "officer"),
        ("petugas.samarinda", "officer"),
        ("verifikator.kaltim", "evaluator"),
        ("admin", "admin"),
    ]:
        line = next(line for line in printed.splitlines() if line.strip().startswith(username))
        password = line.split()[1]
        user = authenticate(username=username, password=password)
        assert user is not None, username
        assert user.role == role
    assert User.objects.get(username="petugas.balikpapan").region.code == "64.71"
    assert User.objects.get(username="verifikator.kaltim").kanwil.code == "kaltim"


@pytest.mark.django_db
def test_demo_signatory_is_visibly_an_example(regions):
    kanwil = Kanwil.objects.get(code="kaltim")
    assert "(contoh)" in kanwil.head_name
    assert "contoh" in kanwil.head_nip


DEMO_MODELS = (
    ReportingCycle,
    Period,
    Action,
    ActionMeasure,
    EvidenceRequirement,
    Assignment,
    User,
    Kanwil,
    Report,
    ReportVersion,
    ReportEvent,
    Evidence,
    RevisionRequest,
    Review,
    ItemDecision,
    Score,
)


def snapshot(media_root):
    return (
        [m.objects.count() for m in DEMO_MODELS],
        list(
            Score.objects.order_by("pk").values_list(
                "pk", "final", "completeness", "timeliness", "responsiveness", "computed_at"
            )
        ),
        sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()),
    )


@pytest.mark.django_db
def test_running_the_demo_twice_changes_nothing(regions, media_root):
    # (the module's fixture ran it once)
    before = snapshot(media_root)

    call_command("seed_demo")

    assert snapshot(media_root) == before


@pytest.mark.django_db
def test_balikpapan_is_the_best_reporter_of_kanwil_kaltim_in_2025(regions):
    cycle = ReportingCycle.objects.get(year=2025)
    ranking = cycle_ranking(cycle, Kanwil.objects.get(code="kaltim"))
    assert len(ranking) == 17
    first = ranking[0]
    assert first.region.code == "64.71"
    assert Decimal("98.5") <= first.final <= Decimal("99.5")
    assert first.timeliness == 100
    assert first.responsiveness == 100
    assert first.completeness < 100
    assert first.on_time == 4 and not first.provisional
    # Fastest and most responsive too: earliest on average, answers within a working day.
    assert first.mean_offset_seconds == min(row.mean_offset_seconds for row in ranking)
    assert first.median_response_days == min(
        row.median_response_days for row in ranking if row.median_response_days is not None
    )
    # The others are lower and varied: Samarinda in the 90s, some in the 70s, one late.
    others = {row.region.code: row for row in ranking[1:]}
    assert all(row.final < first.final for row in others.values())
    assert 90 <= others["64.72"].final < first.final
    assert min(row.final for row in others.values()) < 80
    assert min(row.timeliness for row in others.values()) <= 70


@pytest.mark.django_db
def test_balikpapan_loses_only_on_documents_accepted_after_revision(regions):
    balikpapan = regions.get(code="64.71")
    cycle = ReportingCycle.objects.get(year=2025)
    revised = []
    for period in cycle.periods.all():
        x = explain(balikpapan, period)
        result = x.result
        assert result.final == round2(
            Decimal("0.5") * result.completeness
            + Decimal("0.25") * result.timeliness
            + Decimal("0.25") * result.responsiveness
        )
        assert (result.timeliness, result.responsiveness) == (100, 100)
        assert x.inputs.report.first_submitted_at < x.deadline
        revised += [item for item, credit in x.items if credit != 1]
        assert all(r.w == 1 for r in result.responsiveness_detail.requests)
        stored = Score.objects.get(region=balikpapan, period=period)
        assert stored.final == result.final
    assert 1 <= len(revised) <= 2
    assert all(item.final == "accepted" and item.first == "rejected" for item in revised)
    reasons = set(
        ItemDecision.objects.filter(
            review__report__region=balikpapan, decision="rejected"
        ).values_list("reason", flat=True)
    )
    assert reasons == {"tanpa_ttd"}  # document administration: unsigned, no letterhead


@pytest.mark.django_db
def test_every_2025_report_went_through_the_services_and_is_verified(regions, media_root):
    cycle = ReportingCycle.objects.get(year=2025)
    reports = Report.objects.filter(period__cycle=cycle)
    assert reports.count() == 17 * 4
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.VERIFIED}
    assert Score.objects.filter(period__cycle=cycle, provisional=False).count() == 17 * 4
    for report in reports.prefetch_related("events", "versions", "revision_requests"):
        kinds = [event.kind for event in report.events.all()]
        returns = kinds.count(EventKind.RETURNED)
        assert kinds[0] == EventKind.CREATED and kinds[-1] == EventKind.VERIFIED
        assert kinds.count(EventKind.RESUBMITTED) == returns
        assert report.versions.count() == 1 + returns
        assert all(r.answered_at for r in report.revision_requests.all())
        assert report.first_submitted_at.astimezone(report.region.zone).date() <= (
            report.period.closes_on
        )
    # Every evidence file is a distinct, valid specimen PDF stored under MEDIA_ROOT.
    evidence = list(Evidence.objects.filter(report__period__cycle=cycle))
    assert len({item.sha256 for item in evidence}) == len(evidence)
    sample = evidence[:: max(1, len(evidence) // 20)]
    for item in sample:
        content = (media_root / item.file.name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == item.sha256
        assert "CONTOH" in PdfReader(item.file.path).pages[0].extract_text()
        # What the demo recorded of the file is what the upload check establishes.
        upload = SimpleUploadedFile(item.original_name, content)
        checked = inspect_upload(upload)
        assert (checked.content_type, checked.size, checked.sha256) == (
            item.content_type,
            item.size,
            item.sha256,
        )


@pytest.mark.django_db
def test_the_current_cycle_is_a_round_in_progress_as_of_today(regions):
    today = ministry_today()
    cycle = ReportingCycle.objects.get(year=today.year)
    reports = Report.objects.filter(period__cycle=cycle)
    closed = [p for p in cycle.periods.all() if p.closes_on < today]
    current = open_period(cycle, today)

    # Nothing has happened after now, and nothing in a period that has not opened.
    assert not reports.filter(period__opens_on__gt=today).exists()
    assert not ReportEvent.objects.filter(created_at__gt=timezone.now()).exists()
    # One region never reported this year.
    silent = Region.objects.get(code=SILENT_REGION)
    assert not reports.filter(region=silent).exists()
    for period in closed:
        in_period = reports.filter(period=period)
        assert in_period.count() == 16
        assert in_period.filter(status=ReportStatus.VERIFIED).count() >= 12
        assert in_period.exclude(first_submitted_at=None).count() >= 15
    if len(closed) >= 2:
        assert RevisionRequest.objects.filter(
            report__period__in=closed, answered_at__isnull=False
        ).exists()
        late = [
            score
            for score in Score.objects.filter(period__in=closed, submitted=True)
            if score.timeliness < 100
        ]
        assert late  # a few sent after their deadline
    if current is not None:
        statuses = set(reports.filter(period=current).values_list("status", flat=True))
        assert ReportStatus.DRAFT in statuses
        assert ExtensionRequest.objects.filter(
            period=current, status=ExtensionRequestStatus.PENDING
        ).exists()


@pytest.mark.django_db
def test_the_open_periods_early_reports_wait_in_the_kanwils_queue(regions):
    today = ministry_today()
    cycle = ReportingCycle.objects.get(year=today.year)
    current = open_period(cycle, today)
    sent = Report.objects.filter(period=current, region__code__in=EARLY_REGIONS).exclude(
        first_submitted_at=None
    )
    # (in the first days of a period there are no "last days" to have sent it in)
    assert sent.exists() or (today - current.opens_on).days < 4
    assert all(
        report.first_submitted_at < timezone.now()
        and report.first_submitted_at.astimezone(report.region.zone).date() >= current.opens_on
        for report in sent
    )


@pytest.mark.django_db
def test_two_regions_have_invitations_not_yet_accepted(regions):
    pending = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    assert sorted(pending.values_list("user__region__code", flat=True)) == sorted(INVITED_REGIONS)
    assert all(not invitation.user.has_usable_password() for invitation in pending)
    assert all(invitation.user.email.endswith("@contoh.go.id") for invitation in pending)


@pytest.mark.django_db
def test_the_demo_people_have_confirmed_example_contacts(regions):
    for username in ("petugas.balikpapan", "petugas.samarinda", "verifikator.kaltim", "admin"):
        user = User.objects.get(username=username)
        assert user.email.endswith("@contoh.go.id") and user.email_confirmed_at
        if user.role == Role.OFFICER:
            assert user.phone.startswith("+62") and user.phone_confirmed_at
    assert User.objects.get(username="petugas.balikpapan").email == (
        "petugas.balikpapan@contoh.go.id"
    )


@pytest.mark.django_db
def test_the_bell_keeps_unread_only_what_still_waits_for_its_reader(regions):
    evaluator = User.objects.get(username="verifikator.kaltim")
    waiting = Report.objects.filter(status=ReportStatus.SUBMITTED).first()
    done = Report.objects.filter(status=ReportStatus.VERIFIED, period__cycle__year=2025).first()

    def notice(report, occasion):
        return Notice.objects.create(
            recipient=evaluator,
            kind=Kind.SUBMITTED,
            object_type="reporting.report",
            object_id=str(report.pk),
            occasion=occasion,
            title="Laporan dikirim",
            url="/",
        )

    old = notice(done, "event-1")
    new = notice(waiting, "event-2") if waiting else None

    settle_notices(timezone.now())

    old.refresh_from_db()
    assert old.read_at is not None
    assert old.created_at == done.first_submitted_at  # when it was sent, in the story
    if new is not None:
        new.refresh_from_db()
        assert new.read_at is None


@pytest.mark.django_db
def test_demo_officers_are_examples_who_cannot_log_in(regions):
    officers = User.objects.filter(role=Role.OFFICER)
    assert officers.count() == 17
    assert all("(contoh)" in officer.last_name for officer in officers)
    printed = {"petugas.balikpapan", "petugas.samarinda"}
    assert not any(o.has_usable_password() for o in officers if o.username not in printed)


@pytest.mark.django_db
def test_every_roles_first_pages_show_this_years_figures(regions, client_for):
    today = ministry_today()
    officer = User.objects.get(username="petugas.balikpapan")
    evaluator = User.objects.get(username="verifikator.kaltim")
    admin = User.objects.get(username="admin")

    home = client_for(officer).get(reverse("reporting:officer-home"))
    assert home.status_code == 200
    assert str(today.year) in home.content.decode()

    queue = client_for(evaluator).get(reverse("evaluation:queue")).content.decode()
    waiting = Report.objects.filter(
        status=ReportStatus.SUBMITTED, period__cycle__year=today.year
    ).select_related("region")
    assert all(report.region.name in queue for report in waiting)

    for user in (evaluator, admin):
        page = client_for(user).get(reverse("evaluation:rankings")).content.decode()
        assert 'data-testid="no-scores"' not in page
        assert page.count('data-region="') >= 16

    overview = client_for(admin).get(reverse("evaluation:overview"))
    assert overview.status_code == 200
    assert "Belum ada nilai." not in overview.content.decode()


@pytest.mark.django_db
def test_the_public_results_show_balikpapan_first_in_kaltim_and_five_years(regions, client):
    ranking = client.get("/hasil/2025/kanwil/kaltim/")
    assert ranking.status_code == 200
    rows = ranking.context["rows"]
    assert rows[0].code == "64.71" and rows[0].rank_kanwil == 1
    assert len(rows) == 17

    page = client.get("/hasil/wilayah/64.71/")
    history = page.context["history"]
    assert [year for year, _row in history] == [2021, 2022, 2023, 2024, 2025]
    assert 'data-testid="history-chart"' in page.content.decode()
    # Near the top every year: first of its Kanwil; the others rise and fall.
    assert [row.rank_kanwil for _year, row in history] == [1, 1, 1, 1, 1]
    samarinda = [row.final for _year, row in client.get("/hasil/wilayah/64.72/").context["history"]]
    assert len(samarinda) == 5 and samarinda != sorted(samarinda)


@pytest.mark.django_db
def test_the_rankings_export_of_the_demo_equals_its_page(regions, client_for):
    # given: the whole demo, its 2025 reports submitted, reviewed and scored by the services
    evaluator = User.objects.get(username="verifikator.kaltim")
    client = client_for(evaluator)
    rows = exports.page_rows(client, "?siklus=2025")

    # when
    xlsx = client.get(exports.export_url("xlsx", "?siklus=2025"))
    text = client.get(exports.export_url("csv", "?siklus=2025"))

    # then
    assert len(rows) == Region.objects.of_kanwil(evaluator.kanwil).count()
    assert exports.xlsx_table(exports.read_xlsx(xlsx)["Peringkat"])[1] == exports.expected_table(
        rows
    )
    assert exports.read_csv(text)[1] == [
        [str(v) for v in line] for line in exports.expected_table(rows)
    ]
