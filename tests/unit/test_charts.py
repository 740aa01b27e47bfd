"""The server-drawn charts (portfolio/charts.py): shapes inside the drawing, bars on the right
side of zero, every number in the table beside it, labels escaped, and the empty state."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from portfolio.charts import bar_chart, donut_chart, line_chart


def view_box(svg: str) -> tuple[float, float]:
    width, height = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()
    return float(width), float(height)


def numbers(attribute: str, svg: str) -> list[float]:
    return [float(value) for value in re.findall(rf' {attribute}="(-?[\d.]+)"', svg)]


def table_cells(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*)</tbody>", html, flags=re.DOTALL).group(1)
    return [
        re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def bars(svg: str) -> list[dict[str, float | str]]:
    found = re.findall(
        r'<rect class="(chart-bar[^"]*)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
        r'height="([\d.]+)"',
        svg,
    )
    return [
        {"class": c, "x": float(x), "y": float(y), "width": float(w), "height": float(h)}
        for c, x, y, w, h in found
    ]


def zero_line(svg: str) -> float:
    return float(re.search(r'<line class="chart-zero"[^>]* y1="([\d.]+)"', svg).group(1))


POINTS = [
    (date(2026, 1, 1), Decimal("0")),
    (date(2026, 1, 2), Decimal("125.5")),
    (date(2026, 1, 3), Decimal("-40.25")),
    (date(2026, 1, 5), Decimal("310.123456789")),
]


def test_a_line_chart_is_a_labelled_figure_with_a_responsive_svg():
    html = line_chart(POINTS, title="Cumulative PnL", unit="USD")

    assert html.startswith('<figure class="chart chart-line">')
    assert 'width="100%"' in html
    assert 'role="img"' in html
    assert 'aria-label="Cumulative PnL (USD)"' in html
    assert "<title>Cumulative PnL (USD)</title>" in html
    assert "style=" not in html


def test_every_point_of_a_line_lies_inside_the_view_box():
    html = line_chart(POINTS, title="PnL", unit="USD")
    width, height = view_box(html)
    line = re.search(r'<polyline class="chart-line" points="([^"]+)"', html).group(1)
    pairs = [tuple(map(float, pair.split(","))) for pair in line.split()]

    assert len(pairs) == len(POINTS)
    assert all(0 <= x <= width and 0 <= y <= height for x, y in pairs)
    # Oldest on the left, and a higher value higher up (smaller y).
    assert [x for x, _ in pairs] == sorted(x for x, _ in pairs)
    assert pairs[3][1] < pairs[1][1] < pairs[0][1] < pairs[2][1]


def test_a_line_chart_sorts_its_points_and_accepts_datetimes():
    moments = [
        (datetime(2026, 1, 2, 15, 30, tzinfo=UTC), Decimal("2")),
        (datetime(2026, 1, 1, 9, 0, tzinfo=UTC), Decimal("1")),
    ]
    html = line_chart(moments, title="PnL", unit="")

    assert table_cells(html) == [["2026-01-01 09:00", "1"], ["2026-01-02 15:30", "2"]]


def test_a_single_point_is_drawn_as_a_dot_inside_the_view_box():
    html = line_chart([(date(2026, 1, 1), Decimal("5"))], title="PnL", unit="USD")
    width, height = view_box(html)
    cx, cy = numbers("cx", html)[0], numbers("cy", html)[0]

    assert 0 < cx < width and 0 < cy < height
    assert "<polyline" not in html


def test_the_line_charts_table_holds_every_value_in_full():
    html = line_chart(POINTS, title="PnL", unit="USD")

    assert table_cells(html) == [
        ["2026-01-01", "0"],
        ["2026-01-02", "125.5"],
        ["2026-01-03", "\u221240.25"],
        ["2026-01-05", "310.12345679"],
    ]
    assert '<div class="chart-data visually-hidden"><table><caption>PnL</caption>' in html
    assert '<th scope="col">Value USD</th>' in html


def test_negative_bars_hang_below_the_zero_line_and_positive_ones_stand_on_it():
    items = [("Jan", Decimal("100")), ("Feb", Decimal("-60")), ("Mar", Decimal("30"))]
    html = bar_chart(items, title="PnL by month", unit="USD")
    zero = zero_line(html)
    jan, feb, mar = bars(html)

    assert jan["y"] + jan["height"] == zero and jan["y"] < zero
    assert mar["y"] + mar["height"] == zero and mar["height"] < jan["height"]
    assert feb["y"] == zero and feb["height"] > 0
    assert "chart-bar-negative" in feb["class"] and "negative" not in jan["class"]
    width, height = view_box(html)
    for bar in (jan, feb, mar):
        assert bar["x"] >= 0 and bar["x"] + bar["width"] <= width
        assert bar["y"] >= 0 and bar["y"] + bar["height"] <= height


def test_the_bar_charts_table_holds_every_value_and_long_lists_thin_their_labels():
    items = [(f"{hour:02d}:00", Decimal(hour * 3)) for hour in range(24)]
    html = bar_chart(items, title="Trades by hour", unit="")

    assert table_cells(html) == [[label, str(value)] for label, value in items]
    assert len(bars(html)) == 24
    # 24 five-character labels do not fit side by side: every fourth is written, in full.
    labels = re.findall(r'<text class="chart-label"[^>]*>(\d\d:00)</text>', html)
    assert labels == ["00:00", "04:00", "08:00", "12:00", "16:00", "20:00"]


def test_a_donut_draws_slices_of_the_whole_and_groups_the_long_tail_as_other():
    items = [(f"Coin {n}", Decimal(100 - n * 10)) for n in range(9)]
    html = donut_chart(items, title="Fees by currency")
    width, height = view_box(html)

    slices = re.findall(r'<path class="chart-slice" d="([^"]+)"', html)
    assert len(slices) == 6
    coordinates = [float(n) for d in slices for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    assert all(0 <= n <= max(width, height) for n in coordinates)
    legend = re.search(r'<ul class="chart-legend"[^>]*>(.*?)</ul>', html).group(1)
    assert "Other" in legend and "Coin 5" not in legend
    # 100 of 540 for the largest; Other is 50 + 40 + 30 + 20
    assert "<title>Coin 0: 18.5%</title>" in html
    assert "<title>Other: 25.9%</title>" in html
    cells = table_cells(html)
    assert [row[0] for row in cells] == [f"Coin {n}" for n in range(9)]
    assert cells[-1] == ["Coin 8", "20", "3.7%"]


def test_a_donut_says_how_many_items_at_or_below_zero_it_left_out():
    html = donut_chart(
        [("BTC", Decimal("3")), ("Rebate", Decimal("-1")), ("ETH", Decimal("0"))], title="Fees"
    )

    assert len(re.findall(r'class="chart-slice"', html)) == 1
    assert "2 items at zero or below are not drawn." in html
    assert ["Rebate", "\u22121", ""] in table_cells(html)


def test_a_single_slice_is_a_whole_ring():
    html = donut_chart([("USDT", Decimal("12"))], title="Fees")

    assert "<title>USDT: 100.0%</title>" in html
    assert html.count(" A ") == 4


def test_labels_and_titles_are_escaped_everywhere():
    evil = '<script>alert("x")</script>'
    for html in (
        bar_chart([(evil, Decimal("1"))], title=evil, unit=evil),
        donut_chart([(evil, Decimal("1"))], title=evil),
        line_chart([(date(2026, 1, 1), Decimal("1"))], title=evil, unit=evil),
    ):
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_no_data_makes_a_figure_that_says_so():
    for html in (
        line_chart([], title="Cumulative PnL", unit="USD"),
        bar_chart([], title="Volume", unit="USD"),
        donut_chart([], title="Fees"),
        donut_chart([("Rebate", Decimal("-1"))], title="Fees"),
    ):
        assert html.startswith('<figure class="chart chart-empty">')
        assert "No data yet" in html
        assert "<svg" not in html


def test_all_equal_values_still_draw_inside_the_view_box():
    html = bar_chart([("A", Decimal("5")), ("B", Decimal("5"))], title="Flat", unit="")
    _, height = view_box(html)

    assert all(bar["y"] >= 0 and bar["y"] + bar["height"] <= height for bar in bars(html))
    assert all(bar["height"] > 0 for bar in bars(html))
