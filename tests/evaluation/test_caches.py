"""The versions every cached ranking and standing carries, and what bumps the names version."""

import pytest
from django.db import transaction

from accounts.models import Kanwil, KanwilProvince
from evaluation.models import NameStamp, ScoreStamp, current_versions
from reporting.models import PeriodScheme, ReportingCycle


def names_version():
    return current_versions().names


@pytest.mark.django_db
def test_versions_of_scores_and_names_are_read_in_one_query(regions, django_assert_num_queries):
    # given: two cycles, one recomputed twice, and a renamed region
    recomputed = ReportingCycle.objects.create(year=2025, scheme=PeriodScheme.QUARTERLY)
    untouched = ReportingCycle.objects.create(year=2026, scheme=PeriodScheme.QUARTERLY)
    ScoreStamp.bump(recomputed)
    ScoreStamp.bump(recomputed)
    NameStamp.objects.all().delete()
    balikpapan = regions.get(code="64.71")
    balikpapan.save()

    # when
    with django_assert_num_queries(1):
        versions = current_versions()

    # then
    assert (versions.of(recomputed), versions.of(untouched), versions.names) == (2, 0, 1)


@pytest.mark.django_db
def test_no_names_version_yet_reads_as_zero(django_assert_num_queries):
    NameStamp.objects.all().delete()

    with django_assert_num_queries(1):
        assert current_versions().names == 0


@pytest.mark.django_db
def test_adding_renaming_and_removing_regions_and_kanwil_bumps_the_names_version(regions):
    # given
    start = names_version()
    kaltara = regions.get(code="65")

    # when / then: each change is a new version
    kanwil = Kanwil.objects.create(code="kaltara", name="Kanwil", city="-", head_name="-")
    assert names_version() == start + 1
    link = KanwilProvince.objects.create(kanwil=kanwil, province=kaltara)
    assert names_version() == start + 2
    kaltara.name = "Kalimantan Utara Raya"
    kaltara.save(update_fields=["name"])
    assert names_version() == start + 3
    link.delete()
    assert names_version() == start + 4
    kanwil.delete()
    assert names_version() == start + 5


@pytest.mark.django_db(transaction=True)
def test_with_a_shared_cache_a_rename_is_read_once_it_commits(
    regions, settings, django_assert_num_queries
):
    # given: a shared cache (only the setting's presence matters here) holding the versions
    settings.CACHE_URL = "redis://cache.example/1"
    before = names_version()
    with django_assert_num_queries(0):
        assert names_version() == before

    # when: a region is renamed; until it commits, the old version stands
    with transaction.atomic():
        balikpapan = regions.get(code="64.71")
        balikpapan.name = "Kota Beruang Madu"
        balikpapan.save(update_fields=["name"])
        assert names_version() == before

    # then
    assert names_version() == before + 1
