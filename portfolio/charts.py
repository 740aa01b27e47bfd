"""Charts drawn on the server as SVG: no JavaScript, no CDN, nothing the CSP refuses.

Each chart is a `<figure>`: the SVG (a viewBox that scales to the column's width, `role="img"`
and a title) and, beside it, a table of the same numbers that only screen readers read
(`.visually-hidden`). Colours are presentation attributes (`fill=`, `stroke=`) and classes of
thrive.css, never `style=`: the CSP's `style-src 'self'` refuses style attributes.

Amounts stay Decimal in the tables; only the drawing's coordinates are floats. Every label
and title is escaped (format_html), so a market or asset name cannot inject markup.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from journal.templatetags.numbers import MINUS, display

# Drawing units. On a 390 px phone a chart's box is about 310 px wide, which draws the 12-unit
# text at 11 px; thrive.css caps a chart's width so that it does not grow past 18 px either.
WIDTH, HEIGHT = 340, 190
LEFT, RIGHT, TOP, BOTTOM = 42, 8, 10, 26
FONT = 12
CHARACTER = FONT * 0.62  # the width of a character of the labels' font, about
DONUT = 200
MAX_SLICES = 6  # the largest five and "Other" when there are more
MAX_BAR_LABELS = 12
EMPTY = "No data yet"

MUTED, LINE = "#5b6673", "#dfe3e8"
GAIN, LOSS = "#1f6feb", "#cf222e"
# Distinguishable for the common colour-vision deficiencies (Okabe-Ito), "Other" in grey.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
OTHER_COLOUR = "#999999"


def line_chart(
    points: Sequence[tuple[date | datetime, Decimal]], *, title: str, unit: str
) -> SafeString:
    """A value over time, oldest to newest; the zero line is drawn when the values cross it."""
    if not points:
        return _empty(title)
    ordered = sorted(points, key=lambda point: _seconds(point[0]))
    xs = [_seconds(when) for when, _ in ordered]
    values = [float(value) for _, value in ordered]
    ticks = _ticks(min(values), max(values))
    y = _scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    x = _scale(xs[0], xs[-1], LEFT, WIDTH - RIGHT) if xs[-1] > xs[0] else _middle
    coordinates = [(x(t), y(v)) for t, v in zip(xs, values, strict=True)]
    parts = [*_grid(ticks, y, unit)]
    if ticks[0] < 0 < ticks[-1]:
        parts.append(_zero_line(y(0)))
    if len(coordinates) == 1:
        cx, cy = coordinates[0]
        parts.append(
            format_html(
                '<circle class="chart-point" cx="{}" cy="{}" r="3" fill="{}"/>',
                _n(cx),
                _n(cy),
                GAIN,
            )
        )
    else:
        parts.append(
            format_html(
                '<polyline class="chart-line" points="{}" fill="none" stroke="{}" '
                'stroke-width="2" stroke-linejoin="round"/>',
                " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in coordinates),
                GAIN,
            )
        )
    labels = [ordered[0][0]] if len(ordered) == 1 else [ordered[0][0], ordered[-1][0]]
    for index, when in enumerate(labels):
        anchor = "middle" if len(labels) == 1 else ("start", "end")[index]
        parts.append(_text(x(_seconds(when)), HEIGHT - 8, _when(when, short=True), anchor=anchor))
    rows = [(_when(when), _amount(value)) for when, value in ordered]
    return _figure(
        "line",
        title,
        _svg(title, unit, WIDTH, HEIGHT, parts),
        _table(title, ("Date (UTC)", _with_unit("Value", unit)), rows),
    )


def bar_chart(items: Sequence[tuple[str, Decimal]], *, title: str, unit: str) -> SafeString:
    """One bar per item in the order given; negative values hang below the zero line."""
    if not items:
        return _empty(title)
    values = [float(value) for _, value in items]
    ticks = _ticks(min(0.0, *values), max(0.0, *values))
    y = _scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    zero = y(0)
    band = (WIDTH - LEFT - RIGHT) / len(items)
    width = max(band * 0.7, 1.0)
    every = _label_step([label for label, _ in items], band)
    parts = [*_grid(ticks, y, unit)]
    for index, ((label, value), number) in enumerate(zip(items, values, strict=True)):
        left = LEFT + band * index + (band - width) / 2
        top, bottom = sorted((y(number), zero))
        negative = number < 0
        parts.append(
            format_html(
                '<rect class="chart-bar{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {}</title></rect>",
                " chart-bar-negative" if negative else "",
                _n(left),
                _n(top),
                _n(width),
                _n(bottom - top),
                LOSS if negative else GAIN,
                label,
                _with_unit(_amount(value), unit),
            )
        )
        if index % every == 0:
            characters = max(int(band * every / CHARACTER), 3)
            parts.append(
                _text(LEFT + band * (index + 0.5), HEIGHT - 8, _shorten(label, characters))
            )
    parts.append(_zero_line(zero))
    rows = [(label, _amount(value)) for label, value in items]
    return _figure(
        "bar",
        title,
        _svg(title, unit, WIDTH, HEIGHT, parts),
        _table(title, ("Item", _with_unit("Value", unit)), rows),
    )


def donut_chart(items: Sequence[tuple[str, Decimal]], *, title: str) -> SafeString:
    """Slices of a whole, largest first; past the fifth, the rest is one "Other" slice.

    Only positive values are slices (a share of a whole cannot be negative); the others stay
    in the table and the figure says how many were left out of the drawing.
    """
    positive = sorted(
        ((label, value) for label, value in items if value > 0), key=lambda item: -item[1]
    )
    if not positive:
        return _empty(title)
    total = sum((value for _, value in positive), Decimal(0))
    slices = positive
    if len(positive) > MAX_SLICES:
        rest = sum((value for _, value in positive[MAX_SLICES - 1 :]), Decimal(0))
        slices = [*positive[: MAX_SLICES - 1], ("Other", rest)]
    parts, legend = [], []
    start = 0.0
    for index, (label, value) in enumerate(slices):
        share = float(value / total)
        grouped = len(slices) < len(positive) and index == len(slices) - 1
        colour = OTHER_COLOUR if grouped else PALETTE[index]
        parts.append(
            format_html(
                '<path class="chart-slice" d="{}" fill="{}" stroke="#ffffff" '
                'stroke-width="1"><title>{}: {}</title></path>',
                _ring(start, start + share),
                colour,
                label,
                _percent(value, total),
            )
        )
        legend.append(
            format_html(
                '<li><svg class="chart-swatch" viewBox="0 0 10 10" width="10" height="10" '
                'aria-hidden="true"><rect width="10" height="10" fill="{}"/></svg>'
                '{} <span class="chart-share">{}</span></li>',
                colour,
                label,
                _percent(value, total),
            )
        )
        start += share
    left_out = len(items) - len(positive)
    note = (
        format_html(
            '<p class="chart-note">{} at zero or below {} not drawn.</p>',
            _count(left_out, "item"),
            "is" if left_out == 1 else "are",
        )
        if left_out
        else ""
    )
    rows = [
        (label, _amount(value), _percent(value, total) if value > 0 else "")
        for label, value in sorted(items, key=lambda item: -item[1])
    ]
    drawing = format_html(
        '{}<ul class="chart-legend" aria-hidden="true">{}</ul>{}',
        _svg(title, "", DONUT, DONUT, parts),
        _joined(legend),
        note,
    )
    return _figure("donut", title, drawing, _table(title, ("Item", "Value", "Share"), rows))


# -- pieces -------------------------------------------------------------------------------------


def _empty(title: str) -> SafeString:
    return format_html(
        '<figure class="chart chart-empty"><figcaption class="chart-title">{}</figcaption>'
        '<p class="chart-empty-text">{}</p></figure>',
        title,
        EMPTY,
    )


def _figure(kind: str, title: str, drawing: SafeString, table: SafeString) -> SafeString:
    return format_html(
        '<figure class="chart chart-{}"><figcaption class="chart-title">{}</figcaption>{}{}'
        "</figure>",
        kind,
        title,
        drawing,
        table,
    )


def _svg(title: str, unit: str, width: int, height: int, parts: Iterable[SafeString]) -> SafeString:
    label = _with_unit(title, f"({unit})" if unit else "")
    return format_html(
        '<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        label,
        label,
        _joined(parts),
    )


def _table(title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> SafeString:
    """The numbers for screen readers: every value, in full (the drawing rounds them)."""
    head = format_html_join("", '<th scope="col">{}</th>', ((cell,) for cell in header))
    body = _joined(
        format_html(
            '<tr><th scope="row">{}</th>{}</tr>',
            row[0],
            format_html_join("", "<td>{}</td>", ((cell,) for cell in row[1:])),
        )
        for row in rows
    )
    return format_html(
        # The wrapper hides it: a table's box never shrinks to 1 px, and would stretch the page.
        '<div class="chart-data visually-hidden"><table><caption>{}</caption>'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>",
        title,
        head,
        body,
    )


def _grid(ticks: Sequence[float], y, unit: str) -> list[SafeString]:
    """Horizontal guide lines with their values on the left."""
    parts = []
    for tick in ticks:
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" '
                'stroke-width="1"/>',
                LEFT,
                WIDTH - RIGHT,
                _n(y(tick)),
                _n(y(tick)),
                LINE,
            )
        )
        parts.append(_text(LEFT - 4, y(tick) + FONT / 3, _short(tick), anchor="end"))
    return parts


def _zero_line(at: float) -> SafeString:
    return format_html(
        '<line class="chart-zero" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        LEFT,
        WIDTH - RIGHT,
        _n(at),
        _n(at),
        MUTED,
    )


def _text(x: float, y: float, text: str, *, anchor: str = "middle") -> SafeString:
    return format_html(
        '<text class="chart-label" x="{}" y="{}" text-anchor="{}" font-size="{}" fill="{}">'
        "{}</text>",
        _n(x),
        _n(y),
        anchor,
        FONT,
        MUTED,
        text,
    )


def _label_step(labels: Sequence[str], band: float) -> int:
    """Label every n-th bar: at most MAX_BAR_LABELS, fewer when the longest label would not
    fit, but never fewer than four (the rest are shortened; the table has them in full)."""
    step = math.ceil(len(labels) / MAX_BAR_LABELS)
    fits = math.ceil(max(len(label) for label in labels) * CHARACTER / band)
    return max(step, min(fits, math.ceil(len(labels) / 4)))


def _ring(start: float, end: float) -> str:
    """The path of a donut slice from `start` to `end`, as fractions of the whole circle."""
    centre, outer, inner = DONUT / 2, DONUT / 2 - 4, DONUT / 2 - 40
    if end - start >= 0.99999:
        # An arc cannot start and end at one point: a whole ring is two halves.
        return (
            f"M {_n(centre)} {_n(centre - outer)} "
            f"A {outer} {outer} 0 1 1 {_n(centre)} {_n(centre + outer)} "
            f"A {outer} {outer} 0 1 1 {_n(centre)} {_n(centre - outer)} Z "
            f"M {_n(centre)} {_n(centre - inner)} "
            f"A {inner} {inner} 0 1 0 {_n(centre)} {_n(centre + inner)} "
            f"A {inner} {inner} 0 1 0 {_n(centre)} {_n(centre - inner)} Z"
        )

    def point(fraction: float, radius: float) -> str:
        angle = 2 * math.pi * fraction - math.pi / 2
        return f"{_n(centre + radius * math.cos(angle))} {_n(centre + radius * math.sin(angle))}"

    large = 1 if end - start > 0.5 else 0
    return (
        f"M {point(start, outer)} A {outer} {outer} 0 {large} 1 {point(end, outer)} "
        f"L {point(end, inner)} A {inner} {inner} 0 {large} 0 {point(start, inner)} Z"
    )


def _joined(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


# -- numbers and scales -----------------------------------------------------------------------


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round guide values from at or below `low` to at or above `high`."""
    if low == high:
        low, high = (low - 1, high + 1) if low == 0 else sorted((0.0, low))
        if low == high:
            high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [i * step for i in range(first, last + 1)]


def _scale(low: float, high: float, start: float, end: float):
    span = high - low
    return lambda value: start + (value - low) / span * (end - start)


def _middle(_value: float) -> float:
    return (LEFT + WIDTH - RIGHT) / 2


def _seconds(when: date | datetime) -> float:
    if isinstance(when, datetime):
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    return datetime.combine(when, time.min, tzinfo=UTC).timestamp()


def _when(when: date | datetime, *, short: bool = False) -> str:
    if isinstance(when, datetime):
        moment = when.astimezone(UTC) if when.tzinfo else when
        return f"{moment:%Y-%m-%d}" if short else f"{moment:%Y-%m-%d %H:%M}"
    return when.isoformat()


def _n(value: float) -> str:
    """A coordinate: one decimal is finer than a pixel at any width a page draws."""
    text = f"{value:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


def _short(value: float) -> str:
    """An axis value in a few characters: 2.5k, 0.005, and negatives with a minus sign."""
    if abs(value) < 1e-12:
        return "0"
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            text = f"{value / limit:.3g}{suffix}"
            break
    else:
        text = f"{value:.3g}"
    return MINUS + text[1:] if text.startswith("-") else text


def _amount(value: Decimal) -> str:
    return display(Decimal(value))


def _percent(value: Decimal, total: Decimal) -> str:
    return f"{value / total * 100:.1f}%"


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _shorten(label: str, characters: int) -> str:
    return label if len(label) <= characters else label[: characters - 1] + "…"
