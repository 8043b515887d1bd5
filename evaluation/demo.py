"""Demo data: cycle, Kanwil Kalimantan Timur, seven actions and a user for each role.

Every official shown here is visibly an example: no real name or NIP is used.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Kanwil, KanwilProvince, Region, Role, User
from reporting.models import (
    Action,
    ActionMeasure,
    Assignment,
    EvidenceRequirement,
    PeriodScheme,
    ReportingCycle,
    TargetGroup,
)
from reporting.services import generate_periods

DEMO_KANWIL = {
    "code": "kaltim",
    "name": "Kantor Wilayah Kementerian HAM Kalimantan Timur",
    "city": "Samarinda",
    "head_name": "Kepala Kantor Wilayah (contoh)",
    "head_nip": "NIP contoh 000000000000000000",
    "head_title": "Kepala Kantor Wilayah Kementerian HAM Kalimantan Timur",
}
DEMO_KANWIL_PROVINCES = ["64", "65"]  # Kalimantan Timur and Kalimantan Utara

ACTIONS = [
    (
        TargetGroup.PEREMPUAN,
        "Penguatan layanan pengaduan dan pendampingan perempuan korban kekerasan",
        "Setiap pengaduan kekerasan terhadap perempuan ditangani UPTD PPA sesuai standar layanan.",
    ),
    (
        TargetGroup.PEREMPUAN,
        "Pengarusutamaan gender dalam perencanaan dan penganggaran daerah",
        "Dokumen perencanaan dan anggaran perangkat daerah memuat analisis gender.",
    ),
    (
        TargetGroup.ANAK,
        "Pemenuhan hak identitas anak melalui percepatan akta kelahiran",
        "Cakupan kepemilikan akta kelahiran anak meningkat dibanding tahun sebelumnya.",
    ),
    (
        TargetGroup.ANAK,
        "Pencegahan perkawinan anak melalui edukasi keluarga dan sekolah",
        "Angka dispensasi kawin menurun dan edukasi menjangkau seluruh kecamatan.",
    ),
    (
        TargetGroup.DISABILITAS,
        "Penyediaan aksesibilitas layanan publik bagi penyandang disabilitas",
        "Gedung layanan publik utama memenuhi standar aksesibilitas.",
    ),
    (
        TargetGroup.DISABILITAS,
        "Pendataan terpadu penyandang disabilitas dan layanan adminduk",
        "Data penyandang disabilitas terpilah dan terhubung dengan layanan kependudukan.",
    ),
    (
        TargetGroup.MASYARAKAT_ADAT,
        "Pengakuan dan perlindungan masyarakat hukum adat",
        "Masyarakat hukum adat teridentifikasi dan ditetapkan dengan produk hukum daerah.",
    ),
]

# What each period asks of every action, and the two evidence items it requires.
PERIOD_MEASURES = {
    1: ("Terbentuknya tim pelaksana dan rencana kerja", ["SK Tim Pelaksana", "Notulen rapat"]),
    2: ("Terlaksananya kegiatan sesuai rencana kerja", ["Laporan kegiatan", "Daftar hadir"]),
    3: ("Terjangkaunya kelompok sasaran", ["Daftar penerima manfaat", "Dokumentasi kegiatan"]),
    4: (
        "Tersusunnya laporan capaian tahunan",
        ["Laporan capaian tahunan", "Surat pengesahan kepala daerah"],
    ),
}

DEMO_USERS = [
    # username, password, first, last, role, region code or None
    (
        "petugas.balikpapan",
        "Balikpapan-Demo-2025",
        "Petugas",
        "Balikpapan (contoh)",
        Role.OFFICER,
        "64.71",
    ),
    (
        "petugas.samarinda",
        "Samarinda-Demo-2025",
        "Petugas",
        "Samarinda (contoh)",
        Role.OFFICER,
        "64.72",
    ),
    (
        "verifikator.kaltim",
        "Kaltim-Demo-2025",
        "Verifikator",
        "Kanwil Kaltim (contoh)",
        Role.EVALUATOR,
        None,
    ),
    ("admin", "Admin-Demo-2025", "Admin", "Kementerian (contoh)", Role.ADMIN, None),
]


@dataclass
class DemoResult:
    cycles: list
    kanwil: Kanwil
    users: list  # (username, password, role label)


def ensure_demo_kanwil():
    kanwil, _created = Kanwil.objects.get_or_create(code=DEMO_KANWIL["code"], defaults=DEMO_KANWIL)
    for code in DEMO_KANWIL_PROVINCES:
        province = Region.objects.get(code=code)
        KanwilProvince.objects.get_or_create(province=province, defaults={"kanwil": kanwil})
    return kanwil


def ensure_cycle(year, regions):
    cycle, _created = ReportingCycle.objects.get_or_create(
        year=year,
        defaults={"name": f"RANHAM {year}", "scheme": PeriodScheme.QUARTERLY},
    )
    generate_periods(cycle)
    periods = list(cycle.periods.all())
    for number, (group, title, criterion) in enumerate(ACTIONS, start=1):
        action, _created = Action.objects.get_or_create(
            cycle=cycle,
            number=number,
            defaults={"title": title, "target_group": group, "success_criterion": criterion},
        )
        for period in periods:
            measure_text, items = PERIOD_MEASURES[period.order]
            measure, created = ActionMeasure.objects.get_or_create(
                action=action,
                period=period,
                defaults={"measure": f"{measure_text}: {title.lower()}."},
            )
            if created:
                EvidenceRequirement.objects.bulk_create(
                    [
                        EvidenceRequirement(measure=measure, order=order, name=name)
                        for order, name in enumerate(items, start=1)
                    ]
                )
        Assignment.objects.bulk_create(
            [Assignment(action=action, region=region) for region in regions],
            ignore_conflicts=True,
        )
    return cycle


def ensure_users(kanwil):
    users = []
    for username, password, first, last, role, region_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, role=role)
            user.region = Region.objects.get(code=region_code) if region_code else None
            user.kanwil = kanwil if role == Role.EVALUATOR else None
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.set_password(password)
            user.save()
        users.append((username, password, role.label))
    return users


@transaction.atomic
def seed_demo():
    """Create the demo data; running it again changes nothing that exists."""
    kanwil = ensure_demo_kanwil()
    regions = list(Region.objects.of_kanwil(kanwil))
    years = sorted({2025, timezone.now().year})
    cycles = [ensure_cycle(year, regions) for year in years]
    return DemoResult(cycles=cycles, kanwil=kanwil, users=ensure_users(kanwil))
