"""Server-drawn SVG charts: figures as text, accessible names, escaped labels, valid markup."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from evaluation import charts
from evaluation.recaps import Counts, PeriodRate

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    """The chart as XML: fails on anything a browser's SVG parser would trip over."""
    return ET.fromstring(str(svg))


def texts(svg):
    return [element.text for element in parse(svg).iter(f"{SVG}text")]


def period_rate(code, expected, submitted, on_time, due=True):
    period = SimpleNamespace(code=code, due_on=datetime.date(2025, 1, 1))
    return PeriodRate(
        period=period,
        counts=Counts(expected=expected, submitted=submitted, on_time=on_time),
        due=due,
    )


def ranking_row(position, name, final, provisional=False):
    return SimpleNamespace(
        position=position,
        region=SimpleNamespace(name=name),
        final=Decimal(final),
        provisional=provisional,
    )


def test_reporting_rate_chart_prints_each_period_rate_as_text():
    # given: TW1 16 of 17 sent, 12 on time; TW2 nothing expected; TW3 still running
    rates = [
        period_rate("TW1", 17, 16, 12),
        period_rate("TW2", 0, 0, 0),
        period_rate("TW3", 17, 3, 3, due=False),
    ]

    # when
    with translation.override("id"):
        svg = charts.reporting_rate_chart(rates)

    # then
    labels = texts(svg)
    assert "94,1%" in labels  # 16/17
    assert "70,6%" in labels  # 12/17
    assert "17,6%" in labels  # 3/17
    assert "16/17 laporan" in labels
    assert "berjalan" in labels
    assert labels.count("–") == 2  # TW2: no bar for either rate
    assert [label for label in labels if label in ("TW1", "TW2", "TW3")] == ["TW1", "TW2", "TW3"]


def test_charts_are_named_for_assistive_technology():
    # when
    svg = charts.reporting_rate_chart([period_rate("TW1", 4, 2, 1)], chart_id="rates")

    # then
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "rates-title rates-desc"
    assert root.find(f"{SVG}title").get("id") == "rates-title"
    assert root.find(f"{SVG}title").text == "Tingkat pelaporan per periode"
    desc = root.find(f"{SVG}desc").text
    assert "TW1: pelaporan 50,0%, tepat waktu 25,0% (2 dari 4 laporan)" in desc


def test_figures_follow_the_language_and_coordinates_never_do():
    # when
    with translation.override("en"):
        svg = str(charts.reporting_rate_chart([period_rate("TW1", 3, 2, 1)]))

    # then: 66.7% in English; every coordinate keeps its dot
    assert "66.7%" in svg
    root = parse(svg)
    for rect in root.iter(f"{SVG}rect"):
        for name in ("x", "y", "width", "height"):
            float(rect.get(name))


def test_histogram_puts_scores_in_ten_point_bins_with_100_in_the_last():
    values = [Decimal(v) for v in ("0", "9.99", "10", "55.50", "89.99", "90", "99.11", "100")]

    assert charts.histogram_bins(values) == [2, 1, 0, 0, 0, 1, 0, 0, 1, 3]


def test_score_histogram_labels_every_bin_with_its_count():
    # given
    values = [Decimal("98.22"), Decimal("99.11"), Decimal("75"), Decimal("12.5")]

    # when
    svg = charts.score_histogram(values)

    # then
    labels = texts(svg)
    for band in ("0–10", "10–20", "70–80", "90–100"):
        assert band in labels
    counts = [label for label in labels if label.isdigit()]
    assert counts == ["0", "1", "0", "0", "0", "0", "0", "1", "0", "2"]
    assert "90–100: 2" in parse(svg).find(f"{SVG}desc").text


def test_ranking_bars_show_the_top_regions_with_their_final_score():
    # given
    rows = [ranking_row(i, f"Kota Contoh {i}", 100 - i) for i in range(1, 13)]
    rows[0] = ranking_row(1, "Kota Balikpapan", "98.22", provisional=True)

    # when
    svg = charts.ranking_bars(rows, top=10)

    # then
    labels = texts(svg)
    assert "1. Kota Balikpapan" in labels
    assert "98,22 (sementara)" in labels
    assert "10. Kota Contoh 10" in labels
    assert "11. Kota Contoh 11" not in labels
    assert len(list(parse(svg).iter(f"{SVG}rect"))) == 10


def test_long_region_names_are_shortened_but_kept_whole_in_the_tooltip():
    # given
    name = "Kabupaten Dengan Nama Yang Sangat Panjang Sekali Untuk Diuji Tampilannya"

    # when
    svg = charts.ranking_bars([ranking_row(1, name, "80")])

    # then
    root = parse(svg)
    (label,) = [t for t in texts(svg) if t.startswith("1. ")]
    assert label.endswith("…")
    assert len(label) <= len("1. ") + charts.NAME_LIMIT
    assert root.find(f"{SVG}g/{SVG}title").text == f"1. {name}: 80,00"


def test_region_names_with_markup_are_escaped():
    # given
    rows = [ranking_row(1, "<script>alert('x')</script> & Co", "90")]

    # when
    svg = str(charts.ranking_bars(rows))

    # then: no element is created from the name, and it reads back as the same text
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    assert "1. <script>alert('x')</script> & Co" in texts(svg)


def test_charts_without_data_say_so():
    assert "Belum ada nilai." in texts(charts.score_histogram([]))
    assert "Belum ada nilai." in texts(charts.ranking_bars([]))
    assert "Belum ada periode." in texts(charts.reporting_rate_chart([]))


def test_names_and_period_labels_are_escaped_by_the_chart_templates():
    # given: a region name and a period label that would close an attribute or open a script
    name = 'Kota "Contoh"<script>alert(1)</script>'
    rows = [ranking_row(1, name, "90"), ranking_row(2, "Kota Biasa", "80")]
    rates = [period_rate('TW1"><script>alert(2)</script>', 4, 2, 1)]

    # when
    ranking = str(charts.ranking_bars(rows))
    rate_chart = str(charts.reporting_rate_chart(rates))

    # then: the markup is text in the label, the tooltip and the description, nowhere else
    for svg in (ranking, rate_chart):
        assert "<script>" not in svg
        assert not list(parse(svg).iter(f"{SVG}script"))
    assert ranking.count("&quot;Contoh&quot;&lt;script&gt;alert(1)&lt;/script&gt;") == 3
    assert f"1. {name}" in texts(ranking)
    assert parse(ranking).find(f"{SVG}g/{SVG}title").text == f"1. {name}: 90,00"
    assert "TW1&quot;&gt;&lt;script&gt;alert(2)" in rate_chart
    assert rates[0].label in texts(rate_chart)
    assert parse(rate_chart).find(f"{SVG}desc").text.startswith(rates[0].label + ": ")
