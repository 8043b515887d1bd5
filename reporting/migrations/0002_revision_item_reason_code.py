from django.db import migrations, models

# The labels stored before reasons were kept as codes, in both languages of the portal.
LABELS = {
    "Tidak sesuai ukuran keberhasilan": "tidak_sesuai",
    "Does not match the success measure": "tidak_sesuai",
    "Tanpa tanda tangan atau kop surat": "tanpa_ttd",
    "No signature or letterhead": "tanpa_ttd",
    "Tidak terbaca": "tidak_terbaca",
    "Unreadable": "tidak_terbaca",
    "Salah periode": "salah_periode",
    "Wrong period": "salah_periode",
    "Duplikat": "duplikat",
    "Duplicate": "duplikat",
    "Lainnya": "lainnya",
    "Other": "lainnya",
}
CODES = set(LABELS.values())


def labels_to_codes(apps, schema_editor):
    """Store each reason as its code; a text that is no known label is kept in the note."""
    RevisionItem = apps.get_model("reporting", "RevisionItem")
    for item in RevisionItem.objects.exclude(reason__in=CODES).iterator():
        code = LABELS.get(item.reason)
        if code is None:
            code = "lainnya"
            item.note = f"{item.reason} — {item.note}" if item.note else item.reason
        item.reason = code
        item.save(update_fields=["reason", "note"])


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(labels_to_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="revisionitem",
            name="reason",
            field=models.CharField(
                choices=[
                    ("tidak_sesuai", "Tidak sesuai ukuran keberhasilan"),
                    ("tanpa_ttd", "Tanpa tanda tangan atau kop surat"),
                    ("tidak_terbaca", "Tidak terbaca"),
                    ("salah_periode", "Salah periode"),
                    ("duplikat", "Duplikat"),
                    ("lainnya", "Lainnya"),
                ],
                max_length=15,
                verbose_name="alasan",
            ),
        ),
    ]
