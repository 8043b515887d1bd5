"""What the page crawler holds every page to, as plain functions over HTML (tests/e2e/
test_crawler.py walks the pages; tests/e2e/test_crawling_rules.py shows each rule catching
what it is meant to catch).

Times. Every moment a page prints goes through the ``moment`` filter, which writes it as
``<time datetime="2026-11-30T04:00+08:00">Senin, 30 November 2026 pukul 04.00 WITA</time>``.
A page passes when (1) every such element's text names a zone (WIB, WITA, WIT) and shows the
``datetime`` instant's clock in that zone, (2) that instant is one the database holds (or a
deadline, the end of a due date, or the moment of the request), and (3) no clock time is left
outside a ``<time>`` element without a zone: a time after a year, after "pukul"/"at", or any
hh:mm (tests/test_times_on_pages.py's rule for bare times).

Language. A word-list heuristic, meant to catch a forgotten ``{% translate %}`` or an
untranslated catalogue entry, not to judge prose: an Indonesian page must not contain common
English interface words ("Save", "the", "Download"...), an English page no common Indonesian
interface words ("Simpan", "yang", "Unduh"...). Data is Indonesian in both languages (region
names, action titles, narratives, notices composed in the recipient's language), so every text
that the database holds is removed from the page before the words are counted; what remains is
the interface's own words. Attributes a person meets (``title``, ``aria-label``, ``alt``,
``placeholder``, ``value`` of buttons) count as text.
"""

import datetime
import html
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import models

ZONES = {
    "WIB": ZoneInfo("Asia/Jakarta"),
    "WITA": ZoneInfo("Asia/Makassar"),
    "WIT": ZoneInfo("Asia/Jayapura"),
}
MONTH_NAMES = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember "
    "January February March April May June July August September October November December"
).split()
MONTHS = {name: index % 12 + 1 for index, name in enumerate(MONTH_NAMES)}
MOMENT = re.compile(
    r"(\d{1,2}) ([A-Z][a-z]+) (\d{4}) (?:pukul|at) (\d{2})\.(\d{2}) (WITA|WIB|WIT)\b"
)
# The reader's own zone is a zone too: "08.00 waktu setempat" is 08.00 wherever one is.
ZONED = "WIB|WITA|WIT|waktu setempat|local time"
# A clock time after a date or after "pukul"/"at", or any hh:mm: without a zone after it.
NOT_ZONED = r"\b(?! ?(?:" + ZONED + r")\b)"
# The portal prints hours with two digits ("08.00"): a score after a year ("2026 0.00" in an
# admin list) is no time.
BARE = re.compile(
    r"(?:\b(?:19|20)\d\d,? |pukul |\bat )(?:[01]\d|2[0-3])[.:][0-5]\d"
    + NOT_ZONED
    + r"|\b(?:[01]?\d|2[0-3]):[0-5]\d"
    + NOT_ZONED
)
TIME_ELEMENT = re.compile(r'<time datetime="([^"]+)">(.*?)</time>', re.S)

# Interface words of one language that the other never uses as an interface word. Words both
# languages share ("Status", "Total", "Data", "Admin", "Filter", "PDF", "Kanwil") are left out.
ENGLISH_WORDS = frozenset(
    """the and of to your you with from for this that are is was not none yes please
    save submit send cancel download upload search settings notifications deadline back
    open close score evidence review queue rankings awards show edit delete add change
    history view home welcome password username previous next date time period region
    regions waiting submitted returned verified draft report reports sign remind
    reminder calendar request requests granted refused reason decide read unread all""".split()
)
INDONESIAN_WORDS = frozenset(
    """dan yang untuk dengan dari pada atau ini itu belum sudah tidak ada akan oleh
    laporan simpan kirim batal unduh unggah cari pengaturan pemberitahuan batas lapor buka
    tutup kembali nilai bukti antrean peringkat penghargaan lihat ubah hapus tambah riwayat
    beranda kata sandi sebelumnya berikutnya tanggal waktu periode daerah menunggu terkirim
    dikembalikan terverifikasi draf masuk keluar ingatkan kalender permintaan perpanjangan
    diberikan ditolak alasan putuskan dibaca semua tandai halaman""".split()
)
# Names of products and places, the same in both languages.
PROPER_NAMES = ("Google Calendar", "Apple Calendar", "Outlook", "WhatsApp")
WORD = re.compile(r"[A-Za-z]+")
SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")


# Literal values a person types or finds in a file (a sheet's name, "semua" in a workbook)
# are the same in both languages: <code> holds them, and they are not interface language.
SKIPPED = ("script", "style", "template", "code")


class _Texts(HTMLParser):
    """The text nodes and shown attributes of a page, without scripts, styles and code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skip += 1
        values = dict(attrs)
        self.texts += [values[name] for name in SHOWN_ATTRIBUTES if values.get(name)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def texts_of(body):
    parser = _Texts()
    parser.feed(body)
    return parser.texts


def visible_text(body):
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def stored_moments():
    """Every aware moment the database holds, to the minute."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                values = model.objects.exclude(**{field.name: None}).values_list(
                    field.name, flat=True
                )
                found.update(value.replace(second=0, microsecond=0) for value in values)
    return found


def stored_dates():
    """Every date the database holds (due dates, extensions: deadlines end at 23.59)."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if type(field) is models.DateField:
                found.update(
                    model.objects.exclude(**{field.name: None}).values_list(field.name, flat=True)
                )
    return found


def stored_texts():
    """Every text the database holds, longest first (what a page shows as data)."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                values = model.objects.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                )
                found.update(
                    part.strip()
                    for value in values
                    if value
                    for part in str(value).splitlines()
                    if len(part.strip()) >= 3
                )
    return sorted(found, key=len, reverse=True)


def _local(day, month, year, hour, minute, zone):
    return datetime.datetime(
        int(year), MONTHS[month], int(day), int(hour), int(minute), tzinfo=ZONES[zone]
    )


def time_problems(body, moments, dates, window):
    """Problems of one page's times: a shown clock that is not the element's instant in the
    zone it names, an instant the database does not hold, and a clock time without a zone."""
    problems = []
    for iso, inner in TIME_ELEMENT.findall(body):
        text = visible_text(inner).strip()
        match = MOMENT.search(text)
        if match is None:
            problems.append(f"<time> without a zoned moment: {text!r}")
            continue
        instant = datetime.datetime.fromisoformat(iso)
        local = _local(*match.groups())
        if instant.astimezone(local.tzinfo).replace(second=0) != local:
            problems.append(f"{text!r} is not {iso} in {match.group(6)}")
    text = visible_text(body)
    for match in MOMENT.finditer(text):
        local = _local(*match.groups())
        instant = local.astimezone(datetime.UTC)
        if instant in moments or window[0] <= instant <= window[1]:
            continue
        if (local.hour, local.minute) == (23, 59) and local.date() in dates:
            continue  # a deadline: the end of a due date in the region's zone
        problems.append(f"{match.group(0)!r} is no stored moment in {match.group(6)}")
    rest = MOMENT.sub("", text)
    for match in BARE.finditer(rest):
        problems.append(
            f"time without a zone: {rest[max(0, match.start() - 40) : match.end() + 5]!r}"
        )
    return problems


def other_language_words(body, language, data):
    """Interface words of the other language left on a page in ``language`` (data removed)."""
    words = ENGLISH_WORDS if language == "id" else INDONESIAN_WORDS
    found = []
    for text in texts_of(body):
        for name in PROPER_NAMES:
            text = text.replace(name, " ")
        text = text.strip()
        hits = {w for w in WORD.findall(text) if w.lower() in words}
        if not hits:
            continue
        for value in data:
            if len(value) <= len(text) and value in text:
                text = text.replace(value, " ")
                hits = {w for w in WORD.findall(text) if w.lower() in words}
                if not hits:
                    break
        if hits:
            found.append(f"{sorted(hits)} in {text[:80]!r}")
    return found
