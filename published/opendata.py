"""Open data: each published cycle as CSV (UTF-8), XLSX and JSON with a data dictionary,
Kemendagri codes as keys, CC BY 4.0, and a DCAT catalogue (JSON-LD, DCAT-AP terms) that a
CKAN harvester (ckanext-dcat) reads for Satu Data Indonesia."""

import csv
import io
import json
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.days import ministry_zone
from evaluation.models import Publication

FORMATS = ("csv", "xlsx", "json")
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC BY 4.0"
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

# (column, type, description): the data dictionary, in the order of the files' columns.
FIELDS = (
    ("kode_wilayah", "string", gettext_lazy("Kode wilayah Kemendagri (kunci), mis. 64.71")),
    ("nama_wilayah", "string", gettext_lazy("Nama provinsi, kabupaten atau kota")),
    ("tingkat", "string", gettext_lazy("provinsi, kabupaten atau kota")),
    ("kode_provinsi", "string", gettext_lazy("Kode Kemendagri provinsinya")),
    ("nama_provinsi", "string", gettext_lazy("Nama provinsinya")),
    ("kode_kanwil", "string", gettext_lazy("Kode Kanwil yang memverifikasi")),
    ("nama_kanwil", "string", gettext_lazy("Nama Kanwil yang memverifikasi")),
    ("tahun", "integer", gettext_lazy("Tahun siklus RANHAM")),
    ("nilai_akhir", "decimal", gettext_lazy("Nilai akhir F = 0,50 C + 0,25 T + 0,25 R (0-100)")),
    ("kelengkapan", "decimal", gettext_lazy("Kelengkapan data dukung C (0-100)")),
    ("ketepatan_waktu", "decimal", gettext_lazy("Ketepatan waktu T (0-100)")),
    ("responsivitas", "decimal", gettext_lazy("Responsivitas perbaikan R (0-100)")),
    ("peringkat_nasional", "integer", gettext_lazy("Peringkat nasional menurut F")),
    ("peringkat_kanwil", "integer", gettext_lazy("Peringkat di antara wilayah Kanwil-nya")),
    ("jumlah_periode", "integer", gettext_lazy("Periode yang dinilai")),
    ("laporan_dikirim", "integer", gettext_lazy("Periode dengan laporan dikirim")),
    ("laporan_tepat_waktu", "integer", gettext_lazy("Periode dengan laporan tepat waktu")),
    ("tingkat_pelaporan", "decimal", gettext_lazy("Persen periode dengan laporan dikirim")),
    ("tingkat_tepat_waktu", "decimal", gettext_lazy("Persen periode dengan laporan tepat waktu")),
    ("piagam", "string", gettext_lazy("Nomor piagam yang diterima, dipisah titik koma")),
    ("tautan_piagam", "string", gettext_lazy("Alamat pemeriksaan piagam, dipisah spasi")),
)


def dictionary():
    return [(name, kind, str(description)) for name, kind, description in FIELDS]


def _number(value):
    return "" if value is None else str(value)


def records(cycle, rows):
    for row in rows:
        yield {
            "kode_wilayah": row.code,
            "nama_wilayah": row.name,
            "tingkat": row.level,
            "kode_provinsi": row.province_code,
            "nama_provinsi": row.province_name,
            "kode_kanwil": row.kanwil_code,
            "nama_kanwil": row.kanwil_name,
            "tahun": cycle.year,
            "nilai_akhir": row.final,
            "kelengkapan": row.completeness,
            "ketepatan_waktu": row.timeliness,
            "responsivitas": row.responsiveness,
            "peringkat_nasional": row.rank_national,
            "peringkat_kanwil": row.rank_kanwil,
            "jumlah_periode": row.periods,
            "laporan_dikirim": row.submitted,
            "laporan_tepat_waktu": row.on_time,
            "tingkat_pelaporan": row.reporting_rate,
            "tingkat_tepat_waktu": row.on_time_rate,
            "piagam": "; ".join(p.number for p in row.piagam),
            "tautan_piagam": " ".join(p.verify_url for p in row.piagam),
        }


def publication_of(cycle):
    return Publication.objects.active().filter(cycle=cycle, period__isnull=True).first()


def filename(cycle, fmt):
    return f"hasil-aksi-ham-{cycle.year}.{fmt}"


def metadata(cycle):
    publication = publication_of(cycle)
    return {
        "judul": _("Hasil pelaporan Aksi HAM %(year)s") % {"year": cycle.year},
        "tahun": cycle.year,
        "diterbitkan": publication.published_at.astimezone(ministry_zone()).isoformat()
        if publication
        else None,
        "lisensi": LICENCE_NAME,
        "lisensi_url": LICENCE_URL,
        "sumber": settings.SITE_URL + reverse("public:cycle", args=[cycle.year]),
        "kamus_data": settings.SITE_URL + reverse("public:dictionary"),
        "kunci": "kode_wilayah",
    }


def _csv(cycle, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _kind, _description in FIELDS])
    for record in records(cycle, rows):
        writer.writerow([_number(record[name]) for name, _kind, _d in FIELDS])
    return out.getvalue().encode("utf-8")


def _xlsx(cycle, rows):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    data.append([name for name, _kind, _description in FIELDS])
    for record in records(cycle, rows):
        data.append(
            [
                float(value) if isinstance(value, Decimal) else value
                for value in (record[name] for name, _kind, _d in FIELDS)
            ]
        )
    words = book.create_sheet("kamus_data")
    words.append(["kolom", "tipe", "keterangan"])
    for entry in dictionary():
        words.append(list(entry))
    about = book.create_sheet("metadata")
    for key, value in metadata(cycle).items():
        about.append([key, "" if value is None else str(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _json(cycle, rows):
    document = {
        "metadata": metadata(cycle),
        "kamus_data": [
            {"kolom": name, "tipe": kind, "keterangan": description}
            for name, kind, description in dictionary()
        ],
        "data": [
            {key: (str(value) if isinstance(value, Decimal) else value) for key, value in r.items()}
            for r in records(cycle, rows)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def response(cycle, rows, fmt):
    content = {"csv": _csv, "xlsx": _xlsx, "json": _json}[fmt](cycle, rows)
    answer = HttpResponse(content, content_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8")
    if fmt == "xlsx":
        answer["Content-Type"] = MEDIA_TYPES[fmt]
    answer["Content-Disposition"] = f'attachment; filename="{filename(cycle, fmt)}"'
    return answer


# --- DCAT -----------------------------------------------------------------------------------

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
INDONESIA = "http://publications.europa.eu/resource/authority/country/IDN"
LANGUAGES = (
    "http://publications.europa.eu/resource/authority/language/IND",
    "http://publications.europa.eu/resource/authority/language/ENG",
)


def _texts(id_text, en_text):
    return [{"@value": id_text, "@language": "id"}, {"@value": en_text, "@language": "en"}]


def _site(path):
    return settings.SITE_URL + path


def _publisher():
    return {
        "@id": _site("/#kementerian-ham"),
        "@type": "foaf:Agent",
        "foaf:name": "Kementerian Hak Asasi Manusia Republik Indonesia",
    }


def _date(value):
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _dataset(cycle, publication):
    landing = _site(reverse("public:cycle", args=[cycle.year]))
    published_on = timezone.localtime(publication.published_at, ministry_zone()).date()
    periods = list(cycle.periods.all())
    distributions = []
    for fmt in FORMATS:
        url = _site(reverse("public:data", args=[cycle.year, fmt]))
        distributions.append(
            {
                "@id": url + "#distribusi",
                "@type": "dcat:Distribution",
                "dct:title": f"{filename(cycle, fmt)}",
                "dcat:accessURL": {"@id": landing},
                "dcat:downloadURL": {"@id": url},
                "dcat:mediaType": {
                    "@id": f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[fmt]}"
                },
                "dct:format": fmt.upper(),
                "dct:license": {"@id": LICENCE_URL},
                "dct:conformsTo": {"@id": _site(reverse("public:dictionary"))},
                "dct:issued": _date(published_on),
            }
        )
    dataset = {
        "@id": landing + "#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": f"ranham-aksi-ham-{cycle.year}",
        "dct:title": _texts(
            f"Hasil pelaporan Aksi HAM {cycle.year}",
            f"Aksi HAM reporting results {cycle.year}",
        ),
        "dct:description": _texts(
            f"Nilai akhir (F), kelengkapan (C), ketepatan waktu (T), responsivitas (R), "
            f"peringkat, tingkat pelaporan dan piagam setiap pemerintah daerah dalam "
            f"pelaporan Aksi HAM RANHAM (Perpres 53/2021) tahun {cycle.year}.",
            f"Final score (F), completeness (C), timeliness (T), responsiveness (R), ranks, "
            f"reporting rates and awards of every regional government in the RANHAM "
            f"(Perpres 53/2021) Aksi HAM reporting of {cycle.year}.",
        ),
        "dct:publisher": _publisher(),
        "dct:issued": _date(published_on),
        "dct:license": {"@id": LICENCE_URL},
        "dct:language": [{"@id": code} for code in LANGUAGES],
        "dct:spatial": {"@id": INDONESIA},
        "dcat:keyword": ["hak asasi manusia", "RANHAM", "Aksi HAM", "pemerintah daerah"],
        "dcat:landingPage": {"@id": landing},
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": "Kementerian Hak Asasi Manusia",
            "vcard:hasEmail": {"@id": f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}"},
        },
        "dcat:distribution": distributions,
    }
    if periods:
        dataset["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _date(min(p.starts_on for p in periods)),
            "dcat:endDate": _date(max(p.ends_on for p in periods)),
        }
    return dataset


def catalog(cycles):
    publications = {
        p.cycle_id: p
        for p in Publication.objects.active().filter(period__isnull=True, cycle__in=cycles)
    }
    return {
        "@context": CONTEXT,
        "@id": _site(reverse("public:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": _texts("Data terbuka Portal Aksi HAM", "Aksi HAM Portal open data"),
        "dct:description": _texts(
            "Hasil pelaporan Aksi HAM yang telah diumumkan Kementerian HAM.",
            "Aksi HAM reporting results published by the Ministry of Human Rights.",
        ),
        "dct:publisher": _publisher(),
        "dct:license": {"@id": LICENCE_URL},
        "dct:language": [{"@id": code} for code in LANGUAGES],
        "foaf:homepage": {"@id": _site(reverse("public:index"))},
        "dcat:dataset": [
            _dataset(cycle, publications[cycle.pk]) for cycle in cycles if cycle.pk in publications
        ],
    }


def catalog_response(cycles):
    answer = JsonResponse(catalog(cycles), json_dumps_params={"ensure_ascii": False})
    answer["Content-Type"] = "application/ld+json; charset=utf-8"
    return answer
