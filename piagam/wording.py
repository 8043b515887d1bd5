"""What a piagam says, word for word: one home for the PDF, the public page and the portal.

The wording is fixed Bahasa Indonesia and is not marked for translation: a piagam is an
official document issued under Indonesian regulation, and its text must not change with the
language of whoever (or whichever worker) renders or shows it. No WeasyPrint here, so web
processes may import it.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .models import AwardCategory

# The words the piagam prints for each category, in the order it names them.
CATEGORY_WORDS = {
    AwardCategory.TERBAIK: "terbaik",
    AwardCategory.TERCEPAT: "tercepat",
    AwardCategory.PALING_RESPONSIF: "paling responsif",
}

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def category_words(codes: Iterable[str]) -> list[str]:
    """Category codes as the piagam prints them: ["terbaik", "paling responsif"]."""
    return [CATEGORY_WORDS[AwardCategory(code)] for code in codes]


def indonesian_list(words: Sequence[str]) -> str:
    if not words:
        raise ValueError("A list needs at least one item.")
    if len(words) == 1:
        return words[0]
    if len(words) == 2:
        return f"{words[0]} dan {words[1]}"
    return ", ".join(words[:-1]) + f", dan {words[-1]}"


def category_sentence(words: Sequence[str], year: int) -> str:
    """ "sebagai daerah dengan pelaporan Aksi HAM terbaik, tercepat, dan paling responsif
    Tahun 2025" from the printed words of the categories."""
    return f"sebagai daerah dengan pelaporan Aksi HAM {indonesian_list(words)} Tahun {year}"


def certificate_sentence(certificate) -> str:
    return category_sentence(category_words(certificate.categories), certificate.year)


def indonesian_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def indonesian_decimal(value: Decimal, places: int = 2) -> str:
    """Format as Indonesian writes numbers: "1.234,50" (dot for thousands, comma for decimals)."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
