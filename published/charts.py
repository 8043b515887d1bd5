"""Coordinates for the history chart; the markup is in templates/public/_history_chart.html."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36

SERIES = (
    ("final", _("Nilai akhir (F)"), "#0b5394", 3),
    ("completeness", _("Kelengkapan (C)"), "#38761d", 2),
    ("timeliness", _("Ketepatan waktu (T)"), "#b45f06", 2),
    ("responsiveness", _("Responsivitas (R)"), "#741b47", 2),
)


@dataclass
class Series:
    key: str
    label: str
    colour: str
    width: int
    points: list  # [(x, y, value, year)]

    @property
    def polyline(self):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _value, _year in self.points)


def _y(value):
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value) / 100)


def history_chart(history):
    """``history`` is [(year, ResultRow)], oldest first."""
    if not history:
        return None
    count = len(history)
    span = WIDTH - LEFT - RIGHT
    xs = [LEFT + (span * i / (count - 1) if count > 1 else span / 2) for i in range(count)]
    series = [
        Series(
            key=key,
            label=str(label),
            colour=colour,
            width=width,
            points=[
                (x, _y(getattr(row, key)), getattr(row, key), year)
                for x, (year, row) in zip(xs, history, strict=True)
            ],
        )
        for key, label, colour, width in SERIES
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "series": series,
        "years": [(x, year) for x, (year, _row) in zip(xs, history, strict=True)],
        "grid": [(value, _y(value)) for value in (0, 25, 50, 75, 100)],
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM + 20,
    }
