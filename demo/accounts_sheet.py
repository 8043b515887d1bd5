"""A generated national accounts file, as the ministry would bring one to start a round: a few
evaluators per Kanwil and one or more officers per region, in the import template's columns.
Used by the round-start browser test and ``bench/accounts_import.py``; every address is under
``.invalid`` and every number is a made-up 0812 number."""

import io

from accounts.imports import TEMPLATE_HEADERS
from accounts.models import Kanwil, Region

EVALUATORS_PER_KANWIL = 4


def national_rows(count, *, domain="contoh.invalid"):
    """``count`` rows: evaluators for every Kanwil there is, then officers across every region
    (a second and third officer per region once each has one)."""
    rows = []
    for kanwil in Kanwil.objects.order_by("code"):
        for n in range(1, EVALUATORS_PER_KANWIL + 1):
            rows.append(
                {
                    "name": f"Verifikator {n} {kanwil.name}",
                    "email": f"verifikator{n}.{kanwil.code}@{domain}",
                    "phone": f"0813{len(rows):08d}",
                    "role": "verifikator",
                    "kanwil": kanwil.code,
                    "position": "Analis Hukum",
                }
            )
    regions = list(Region.objects.order_by("code").values_list("code", "name"))
    index = 0
    while len(rows) < count:
        code, name = regions[index % len(regions)]
        turn = index // len(regions) + 1
        rows.append(
            {
                "name": f"Petugas {turn} {name}",
                "email": f"petugas{turn}.{code.replace('.', '')}@{domain}",
                "phone": f"0812{len(rows):08d}",
                "role": "petugas",
                "region": code,
                "nip": f"19900101201503{len(rows) % 10000:04d}",
                "position": "Analis Kebijakan",
            }
        )
        index += 1
    return rows[:count]


def workbook_bytes(rows):
    """The rows as an XLSX in the template's layout (text cells, headers in Indonesian)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Akun")
    names = list(TEMPLATE_HEADERS)
    sheet.append([TEMPLATE_HEADERS[name] for name in names])
    for row in rows:
        sheet.append([row.get(name, "") for name in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
