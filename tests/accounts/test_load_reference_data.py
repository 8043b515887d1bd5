import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import Holiday, HolidayCategory, Region
from accounts.services import load_regions, sync_holidays


def test_all_552_autonomous_regions_are_loaded_with_their_levels(regions):
    assert regions.count() == 552
    assert regions.filter(level="provinsi").count() == 38
    assert regions.filter(level="kabupaten").count() == 416
    assert regions.filter(level="kota").count() == 98


def test_balikpapan_belongs_to_kalimantan_timur_in_wita(balikpapan):
    assert balikpapan.name == "Kota Balikpapan"
    assert balikpapan.level == "kota"
    assert balikpapan.province.code == "64"
    assert balikpapan.province.name == "Kalimantan Timur"
    assert balikpapan.zone == ZoneInfo("Asia/Makassar")
    assert balikpapan.zone_abbreviation == "WITA"
    assert balikpapan.government_name == "Pemerintah Kota Balikpapan"


def test_a_province_is_its_own_province(regions):
    kaltim = regions.get(code="64")
    assert kaltim.province_id == kaltim.pk
    assert kaltim.members.count() == 11  # the province and its 10 kabupaten/kota


def test_every_region_points_at_a_province_of_its_own_code(regions):
    mismatched = [
        r.code for r in regions.select_related("province") if not r.code.startswith(r.province.code)
    ]
    assert mismatched == []


@pytest.mark.django_db
def test_loading_twice_creates_and_changes_nothing(regions):
    assert load_regions() == (0, 0)
    assert Region.objects.count() == 552


@pytest.mark.django_db
def test_loading_again_restores_an_edited_row_from_the_shipped_data(balikpapan):
    balikpapan.time_zone = "Asia/Jakarta"
    balikpapan.save(update_fields=["time_zone"])

    assert load_regions() == (0, 1)

    balikpapan.refresh_from_db()
    assert balikpapan.time_zone == "Asia/Makassar"


@pytest.mark.django_db
def test_holidays_include_cuti_bersama_in_indonesian():
    sync_holidays([2025])

    christmas_leave = Holiday.objects.get(date=datetime.date(2025, 12, 26))
    assert christmas_leave.category == HolidayCategory.GOVERNMENT
    assert "Cuti Bersama" in christmas_leave.name
    assert Holiday.objects.get(date=datetime.date(2025, 12, 25)).category == "public"
    assert Holiday.objects.filter(date__year=2025).count() == 28


@pytest.mark.django_db
def test_holiday_sync_keeps_what_an_admin_changed():
    sync_holidays([2025])
    edited = Holiday.objects.get(date=datetime.date(2025, 12, 26))
    edited.name = "Cuti bersama Natal (SKB 3 Menteri, koreksi)"
    edited.from_package = False
    edited.save()

    assert sync_holidays([2025]) == (0, 0)

    edited.refresh_from_db()
    assert edited.name == "Cuti bersama Natal (SKB 3 Menteri, koreksi)"


@pytest.mark.django_db
def test_the_command_is_idempotent(regions):
    call_command("load_reference_data", "--from-year", "2025", "--to-year", "2025")
    holidays_after_first = Holiday.objects.count()

    call_command("load_reference_data", "--from-year", "2025", "--to-year", "2025")

    assert Region.objects.count() == 552
    assert Holiday.objects.count() == holidays_after_first == 28
