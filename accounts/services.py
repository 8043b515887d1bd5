"""Changes to reference data: regions from the shipped CSV and holidays from the package."""

import csv
from pathlib import Path

import holidays as holidays_package
from django.db import transaction
from django.db.models import F

from .models import Holiday, HolidayCategory, Region

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "wilayah_provinsi_kabkota.csv"


@transaction.atomic
def load_regions(csv_path=REGIONS_CSV):
    """Create or update every region of the CSV; returns (created, updated) counts.

    Idempotent: running it again changes nothing unless the CSV changed.
    """
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = {region.code: region for region in Region.objects.all()}
    created = updated = 0
    # Provinces first, so that every kabupaten/kota can point at its province.
    for provinces in (True, False):
        batch = []
        for row in rows:
            if (row["tingkat"] == "provinsi") != provinces:
                continue
            values = {
                "name": row["nama"],
                "level": row["tingkat"],
                "time_zone": row["zona_waktu"],
                "population": int(row["penduduk"]) if row["penduduk"] else None,
                "province": existing.get(row["kode_provinsi"]),
            }
            region = existing.get(row["kode"])
            if region is None:
                batch.append(Region(code=row["kode"], **values))
                continue
            changed = [name for name, value in values.items() if getattr(region, name) != value]
            if changed:
                for name in changed:
                    setattr(region, name, values[name])
                region.save(update_fields=changed)
                updated += 1
        for region in Region.objects.bulk_create(batch):
            existing[region.code] = region
        created += len(batch)
        if provinces:
            # A province is its own province: it can only point at itself once it exists.
            Region.objects.filter(level="provinsi", province__isnull=True).update(province=F("pk"))
            existing.update({r.code: r for r in Region.objects.filter(level="provinsi")})
    return created, updated


def package_holidays(years):
    """(date, name, category) of Indonesia's holidays and cuti bersama in the given years."""
    found = {}
    for category in (HolidayCategory.GOVERNMENT, HolidayCategory.PUBLIC):
        calendar = holidays_package.country_holidays(
            "ID", years=list(years), categories=(category.value,), language="id"
        )
        for day in calendar:
            found[day] = (day, "; ".join(calendar.get_list(day)), category.value)
    return [found[day] for day in sorted(found)]


@transaction.atomic
def sync_holidays(years):
    """Add the package's holidays for the years; rows an admin edited are left alone."""
    existing = {
        holiday.date: holiday for holiday in Holiday.objects.filter(date__year__in=list(years))
    }
    created = updated = 0
    for day, name, category in package_holidays(years):
        holiday = existing.get(day)
        if holiday is None:
            Holiday.objects.create(date=day, name=name, category=category, from_package=True)
            created += 1
        elif holiday.from_package and (holiday.name, holiday.category) != (name, category):
            holiday.name, holiday.category = name, category
            holiday.save(update_fields=["name", "category", "updated_at"])
            updated += 1
    return created, updated
