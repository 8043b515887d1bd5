"""Charts as inline SVG drawn on the server: no script, no CDN, readable without colour.

This module holds the geometry (positions, sizes, colours, and the labels as text); the
markup is in ``templates/evaluation/charts/``, autoescaped like every other template. Each
chart is named by its <title> and <desc> (through aria-labelledby) and prints its numbers as
text next to the marks, so a screen reader, a screenshot and a printout all carry the
figures. Coordinates are given to the templates as plain numbers with a dot whatever the
language; figures are localised here ("94,1%").
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _

BLUE = "#12355b"
GREEN = "#198754"


def percent(value):
    return "–" if value is None else f"{number_format(value, 1)}%"


def score(value):
    return number_format(value, 2)


def _n(value):
    """A coordinate: a dot decimal, never localised."""
    return f"{float(value):.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Point:
    """Where a mark or a label sits, in the chart's coordinates (already written out)."""

    x: str
    y: str

    @classmethod
    def at(cls, x, y):
        return cls(_n(x), _n(y))


@dataclass(frozen=True)
class Box:
    """A rectangle: its corner and size, written out as coordinates."""

    x: str
    y: str
    width: str
    height: str

    @classmethod
    def at(cls, x, y, width, height):
        return cls(_n(x), _n(y), _n(width), _n(height))


@dataclass(frozen=True)
class Line:
    x1: str
    y1: str
    x2: str
    y2: str

    @classmethod
    def at(cls, x1, y1, x2, y2):
        return cls(_n(x1), _n(y1), _n(x2), _n(y2))


def _render(template_name, chart_id, width, height, title, desc, **marks):
    return render_to_string(
        f"evaluation/charts/{template_name}",
        {
            "chart_id": chart_id,
            "width": width,
            "height": height,
            "title": title,
            "desc": desc,
            **marks,
        },
    )


def _empty(chart_id, title, message):
    return _render("empty.html", chart_id, 520, 60, title, message, at=Point.at(260, 35))


# Reporting rate per period ----------------------------------------------------------------------


@dataclass(frozen=True)
class LegendItem:
    colour: str
    swatch: Box
    at: Point
    label: str


def _legend(x, y, items):
    legend = []
    for colour, label in items:
        legend.append(LegendItem(colour, Box.at(x, y - 10, 12, 12), Point.at(x + 18, y), label))
        x += 24 + 7.5 * len(str(label))
    return legend


@dataclass(frozen=True)
class Tick:
    """A horizontal grid line at a percentage, with its label left of the plot."""

    line: Line
    at: Point
    label: str


@dataclass(frozen=True)
class RateBar:
    """One rate of a period: a bar with its percentage above it, or a dash without a rate."""

    colour: str
    box: Box | None
    at: Point
    label: str


@dataclass(frozen=True)
class PeriodGroup:
    bars: list
    name_at: Point
    name: str
    note_at: Point
    note: str


def reporting_rate_chart(period_rates, *, chart_id="chart-rates"):
    """Reporting rate and on-time rate of each period, as pairs of bars with their percentages.

    `period_rates` are ``recaps.PeriodRate``: a label, counts and whether the period is due.
    """
    title = _("Tingkat pelaporan per periode")
    if not period_rates:
        return _empty(chart_id, title, _("Belum ada periode."))
    width, height = 520, 290
    left, right, top, bottom = 44, 8, 48, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    legend = _legend(left, 16, [(BLUE, _("Tingkat pelaporan")), (GREEN, _("Tepat waktu"))])
    ticks = []
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick / 100
        ticks.append(
            Tick(Line.at(left, y, width - right, y), Point.at(left - 6, y + 4), f"{tick}%")
        )
    group = plot_w / len(period_rates)
    bar = min(44, group * 0.36)
    groups, summary = [], []
    for index, item in enumerate(period_rates):
        counts = item.counts
        centre = left + group * index + group / 2
        bars = []
        for offset, value, colour in (
            (-bar - 2, counts.reporting_rate, BLUE),
            (2, counts.on_time_rate, GREEN),
        ):
            x = centre + offset
            if value is None:
                bars.append(RateBar(colour, None, Point.at(x + bar / 2, top + plot_h - 6), "–"))
                continue
            h = plot_h * float(value) / 100
            bars.append(
                RateBar(
                    colour,
                    Box.at(x, top + plot_h - h, bar, h),
                    Point.at(x + bar / 2, top + plot_h - h - 5),
                    percent(value),
                )
            )
        note = (
            _("%(submitted)s/%(expected)s laporan")
            % {"submitted": counts.submitted, "expected": counts.expected}
            if item.due
            else _("berjalan")
        )
        groups.append(
            PeriodGroup(
                bars,
                Point.at(centre, top + plot_h + 18),
                item.label,
                Point.at(centre, top + plot_h + 36),
                note,
            )
        )
        summary.append(
            _(
                "%(period)s: pelaporan %(rate)s, tepat waktu %(on_time)s "
                "(%(submitted)s dari %(expected)s laporan)"
            )
            % {
                "period": item.label,
                "rate": percent(counts.reporting_rate),
                "on_time": percent(counts.on_time_rate),
                "submitted": counts.submitted,
                "expected": counts.expected,
            }
        )
    return _render(
        "reporting_rates.html",
        chart_id,
        width,
        height,
        title,
        "; ".join(summary),
        legend=legend,
        ticks=ticks,
        groups=groups,
    )


# Score distribution -----------------------------------------------------------------------------

BIN_WIDTH = 10
BIN_COUNT = 10


def histogram_bins(values):
    """Counts of scores in [0, 10), [10, 20), ..., [90, 100] (100 falls in the last bin)."""
    counts = [0] * BIN_COUNT
    for value in values:
        if value is None:
            continue
        counts[min(int(value // BIN_WIDTH), BIN_COUNT - 1)] += 1
    return counts


def bin_label(index):
    low = index * BIN_WIDTH
    return f"{low}–{low + BIN_WIDTH}"


@dataclass(frozen=True)
class Bin:
    """A band of scores: its bar (none when empty), its count above and its band below."""

    box: Box | None
    count_at: Point
    count: int
    band_at: Point
    band: str


def score_histogram(values, *, chart_id="chart-distribution"):
    """How many regions scored F in each 10-point band, as bars with their counts."""
    title = _("Sebaran nilai akhir (F)")
    counts = histogram_bins(values)
    if not any(counts):
        return _empty(chart_id, title, _("Belum ada nilai."))
    width, height = 520, 290
    left, right, top, bottom = 8, 8, 24, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max(counts)
    slot = plot_w / BIN_COUNT
    bins = []
    for index, count in enumerate(counts):
        x = left + slot * index
        h = plot_h * count / highest
        bins.append(
            Bin(
                Box.at(x + 3, top + plot_h - h, slot - 6, h) if count else None,
                Point.at(x + slot / 2, top + plot_h - h - 5),
                count,
                Point.at(x + slot / 2, top + plot_h + 18),
                bin_label(index),
            )
        )
    desc = _("Jumlah daerah per pita nilai: %(bins)s") % {
        "bins": "; ".join(f"{bin_label(i)}: {count}" for i, count in enumerate(counts))
    }
    return _render(
        "score_histogram.html",
        chart_id,
        width,
        height,
        title,
        desc,
        colour=BLUE,
        axis=Line.at(left, top + plot_h, width - right, top + plot_h),
        bins=bins,
        caption_at=Point.at(left + plot_w / 2, height - 6),
        caption=_("Nilai akhir (F); 100 masuk pita 90–100"),
    )


# Ranking bars -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    position: int
    name: str
    final: object
    provisional: bool


@dataclass(frozen=True)
class RankingBar:
    """A region's row: its whole name and score (the tooltip), its shortened label, its bar
    and its score after the bar."""

    tooltip: str
    label_at: Point
    label: str
    box: Box
    value_at: Point
    value: str


NAME_LIMIT = 40  # characters of a region name that fit the label column


def _shorten(name, limit=NAME_LIMIT):
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def ranking_bars(rows, *, top=10, chart_id="chart-ranking"):
    """The first `top` regions of a ranking as horizontal bars of F (0-100) with the value.

    `rows` are ``rankings.RankingRow`` (position, region, final, provisional), best first.
    """
    bars = [
        Bar(
            position=row.position,
            name=row.region.name,
            final=row.final,
            provisional=row.provisional,
        )
        for row in list(rows)[:top]
    ]
    title = _("%(count)s daerah dengan nilai akhir (F) tertinggi") % {"count": len(bars)}
    if not bars:
        return _empty(chart_id, _("Peringkat teratas"), _("Belum ada nilai."))
    width, row_h, top_pad = 900, 28, 8
    label_w, value_w = 300, 140
    plot_w = width - label_w - value_w
    height = top_pad * 2 + row_h * len(bars)
    drawn = []
    for index, item in enumerate(bars):
        y = top_pad + row_h * index
        length = plot_w * float(item.final) / 100
        drawn.append(
            RankingBar(
                tooltip=f"{item.position}. {item.name}: {score(item.final)}",
                label_at=Point.at(label_w - 8, y + 18),
                label=f"{item.position}. {_shorten(item.name)}",
                box=Box.at(label_w, y + 4, max(length, 1), row_h - 8),
                value_at=Point.at(label_w + length + 6, y + 18),
                value=_with_provisional(item),
            )
        )
    desc = "; ".join(f"{item.position}. {item.name}: {_with_provisional(item)}" for item in bars)
    return _render(
        "ranking_bars.html", chart_id, width, height, title, desc, colour=BLUE, bars=drawn
    )


def _with_provisional(item):
    return score(item.final) + (" " + str(_("(sementara)")) if item.provisional else "")
