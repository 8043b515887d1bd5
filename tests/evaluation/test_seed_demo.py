import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import Kanwil, User
from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    EvidenceRequirement,
    Period,
    ReportingCycle,
)


@pytest.mark.django_db
def test_demo_builds_cycle_2025_with_four_quarters_and_seven_actions(regions, capsys):
    call_command("seed_demo")

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
    call_command("seed_demo")

    kanwil = Kanwil.objects.get(code="kaltim")
    covered = regions.of_kanwil(kanwil)
    assert covered.count() == 17  # 11 in Kaltim, 6 in Kaltara, provinces included
    assert set(covered.values_list("province__code", flat=True)) == {"64", "65"}
    cycle = ReportingCycle.objects.get(year=2025)
    assert Assignment.objects.filter(action__cycle=cycle).count() == 17 * 7


@pytest.mark.django_db
def test_demo_users_log_in_with_the_printed_passwords(regions, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out

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
    call_command("seed_demo")

    kanwil = Kanwil.objects.get(code="kaltim")
    assert "(contoh)" in kanwil.head_name
    assert "contoh" in kanwil.head_nip


@pytest.mark.django_db
def test_running_the_demo_twice_changes_nothing(regions):
    call_command("seed_demo")
    counts = [
        m.objects.count()
        for m in (
            ReportingCycle,
            Period,
            Action,
            ActionMeasure,
            EvidenceRequirement,
            Assignment,
            User,
            Kanwil,
        )
    ]

    call_command("seed_demo")

    assert [
        m.objects.count()
        for m in (
            ReportingCycle,
            Period,
            Action,
            ActionMeasure,
            EvidenceRequirement,
            Assignment,
            User,
            Kanwil,
        )
    ] == counts
