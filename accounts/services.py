"""Changes to reference data (regions, holidays) and the audit trail of setup changes."""

import csv
from pathlib import Path

import holidays as holidays_package
from django.db import transaction
from django.db.models import F

from .models import AuditAction, AuditEvent, Holiday, HolidayCategory, Region
from .signals import holidays_changed

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


def audit(action, obj, *, by, details=None, object_type=None, object_id=None):
    """Write the audit event of a setup change made to ``obj`` (saved or just deleted)."""
    pk = obj.pk if object_id is None else object_id
    return AuditEvent.objects.create(
        actor=by,
        action=action,
        object_type=object_type or obj._meta.label_lower,
        object_id="" if pk is None else str(pk),
        object_repr=str(obj)[:200],
        details=details or {},
    )


def _holiday_values(holiday):
    return {
        "date": holiday.date,
        "name": holiday.name,
        "category": holiday.category,
        "from_package": holiday.from_package,
    }


@transaction.atomic
def save_holiday(holiday, *, by):
    """Add or correct a holiday as an admin; scores that count working days follow it.

    An admin's row is no longer the package's: the next sync leaves it alone.
    """
    stored = (
        Holiday.objects.select_for_update().filter(pk=holiday.pk).first() if holiday.pk else None
    )
    before = _holiday_values(stored) if stored else None
    holiday.from_package = False
    holiday.save()
    after = _holiday_values(holiday)
    if before == after:
        return holiday
    audit(
        AuditAction.HOLIDAY_CHANGED if stored else AuditAction.HOLIDAY_ADDED,
        holiday,
        by=by,
        details={"before": before, "after": after},
    )
    dates = {holiday.date} | ({stored.date} if stored else set())
    holidays_changed.send(sender=Holiday, dates=dates)
    return holiday


def delete_holiday(holiday, *, by):
    """Remove a holiday: the day counts as a working day again in every score."""
    return delete_holidays([holiday], by=by)


@transaction.atomic
def delete_holidays(holidays, *, by):
    """Remove several holidays, one audit event each; the scores are recomputed once."""
    dates = set()
    for holiday in list(holidays):
        before, pk = _holiday_values(holiday), holiday.pk
        holiday.delete()
        audit(
            AuditAction.HOLIDAY_DELETED,
            holiday,
            by=by,
            object_id=pk,
            details={"before": before, "after": None},
        )
        dates.add(before["date"])
    if dates:
        holidays_changed.send(sender=Holiday, dates=dates)
    return len(dates)
