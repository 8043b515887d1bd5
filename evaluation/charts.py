"""Charts as inline SVG drawn on the server: no script, no CDN, readable without colour.

Each chart is named by its <title> and <desc> (through aria-labelledby) and prints its numbers
as text next to the marks, so a screen reader, a screenshot and a printout all carry the
figures. Every piece of text goes through ``format_html``, which escapes it; coordinates are
plain numbers with a dot whatever the language, figures are localised ("94,1%").
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

BLUE = "#12355b"
GREEN = "#198754"
GRID = "#dee2e6"
MUTED = "#6c757d"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def percent(value):
    return "–" if value is None else f"{number_format(value, 1)}%"


def score(value):
    return number_format(value, 2)


def _join(parts):
    # Every part comes from format_html (or is itself a joined list of such parts).
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308


def _svg(chart_id, width, height, title, desc, body):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" '
        'viewBox="0 0 {w} {h}" width="{w}" '
        'preserveAspectRatio="xMinYMin meet" role="img" '
        'aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="13" '
        'fill="#212529"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=width,
        h=height,
        font=FONT,
        title=title,
        desc=desc,
        body=body,
    )


def _text(x, y, content, *, anchor="middle", size=None, fill=None, weight=None):
    attributes = ""
    if size:
        attributes += f' font-size="{size}"'
    if fill:
        attributes += f' fill="{fill}"'
    if weight:
        attributes += f' font-weight="{weight}"'
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}"{}>{}</text>',
        _n(x),
        _n(y),
        anchor,
        mark_safe(attributes),  # noqa: S308 - built above from constants and numbers
        content,
    )


def _rect(x, y, width, height, fill):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
        _n(x),
        _n(y),
        _n(width),
        _n(height),
        fill,
    )


def _line(x1, y1, x2, y2, stroke=GRID):
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"></line>',
        _n(x1),
        _n(y1),
        _n(x2),
        _n(y2),
        stroke,
    )


def _n(value):
    """A coordinate: a dot decimal, never localised."""
    return f"{float(value):.1f}".removesuffix(".0")


def _empty(chart_id, title, message):
    return _svg(chart_id, 520, 60, title, message, _text(260, 35, message, fill=MUTED))


def _legend(x, y, items):
    parts = []
    for colour, label in items:
        parts.append(_rect(x, y - 10, 12, 12, colour))
        parts.append(_text(x + 18, y, label, anchor="start"))
        x += 24 + 7.5 * len(str(label))
    return _join(parts)


# Reporting rate per period ----------------------------------------------------------------------


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
    parts = [
        _legend(
            left,
            16,
            [(BLUE, _("Tingkat pelaporan")), (GREEN, _("Tepat waktu"))],
        )
    ]
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick / 100
        parts.append(_line(left, y, width - right, y))
        parts.append(_text(left - 6, y + 4, f"{tick}%", anchor="end", size=12, fill=MUTED))
    group = plot_w / len(period_rates)
    bar = min(44, group * 0.36)
    summary = []
    for index, item in enumerate(period_rates):
        counts = item.counts
        centre = left + group * index + group / 2
        for offset, value, colour in (
            (-bar - 2, counts.reporting_rate, BLUE),
            (2, counts.on_time_rate, GREEN),
        ):
            x = centre + offset
            if value is None:
                parts.append(_text(x + bar / 2, top + plot_h - 6, "–", fill=MUTED))
                continue
            h = plot_h * float(value) / 100
            parts.append(_rect(x, top + plot_h - h, bar, h, colour))
            parts.append(_text(x + bar / 2, top + plot_h - h - 5, percent(value), size=12))
        parts.append(_text(centre, top + plot_h + 18, item.label, weight="600"))
        note = (
            _("%(submitted)s/%(expected)s laporan")
            % {"submitted": counts.submitted, "expected": counts.expected}
            if item.due
            else _("berjalan")
        )
        parts.append(_text(centre, top + plot_h + 36, note, size=12, fill=MUTED))
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
    return _svg(chart_id, width, height, title, "; ".join(summary), _join(parts))


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
    parts = [_line(left, top + plot_h, width - right, top + plot_h, MUTED)]
    slot = plot_w / BIN_COUNT
    for index, count in enumerate(counts):
        x = left + slot * index
        h = plot_h * count / highest
        if count:
            parts.append(_rect(x + 3, top + plot_h - h, slot - 6, h, BLUE))
        parts.append(_text(x + slot / 2, top + plot_h - h - 5, str(count), weight="600"))
        parts.append(_text(x + slot / 2, top + plot_h + 18, bin_label(index), size=12))
    parts.append(
        _text(
            left + plot_w / 2,
            height - 6,
            _("Nilai akhir (F); 100 masuk pita 90–100"),
            size=12,
            fill=MUTED,
        )
    )
    desc = _("Jumlah daerah per pita nilai: %(bins)s") % {
        "bins": "; ".join(f"{bin_label(i)}: {count}" for i, count in enumerate(counts))
    }
    return _svg(chart_id, width, height, title, desc, _join(parts))


# Ranking bars -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    position: int
    name: str
    final: object
    provisional: bool


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
    parts = []
    for index, item in enumerate(bars):
        y = top_pad + row_h * index
        label = f"{item.position}. {_shorten(item.name)}"
        parts.append(
            format_html(
                "<g><title>{}</title>{}{}{}</g>",
                f"{item.position}. {item.name}: {score(item.final)}",
                _text(label_w - 8, y + 18, label, anchor="end"),
                _rect(label_w, y + 4, max(plot_w * float(item.final) / 100, 1), row_h - 8, BLUE),
                _text(
                    label_w + plot_w * float(item.final) / 100 + 6,
                    y + 18,
                    score(item.final) + (" " + str(_("(sementara)")) if item.provisional else ""),
                    anchor="start",
                    weight="600",
                ),
            )
        )
    desc = "; ".join(
        f"{item.position}. {item.name}: {score(item.final)}"
        + (" " + str(_("(sementara)")) if item.provisional else "")
        for item in bars
    )
    return _svg(chart_id, width, height, title, desc, _join(parts))
