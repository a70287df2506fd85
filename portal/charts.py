"""Server-rendered SVG charts of indicators over the years, and the data table that goes behind each one.

No JavaScript: the SVG is inline markup that scales to its container (viewBox, width 100%, height auto).
Series differ by marker shape and dash pattern as well as by colour (WCAG 2.1 SC 1.4.1, use of colour), and
every colour has at least 3:1 contrast against white (SC 1.4.11, non-text contrast). Output is deterministic:
same input, same string, so pages can be cached and compared in tests.

Words inside the chart ("Year", "not reported", ...) come from the caller through `ChartWords`, already
translated, so this module marks no strings of its own for the catalogue. In a template::

    {{ line_chart(series, title=_("Energy use"), unit="MWh", words=chart_words) }}
    <details><summary>{{ _("Show the numbers") }}</summary>
      {{ data_table(series, caption=_("Energy use"), unit="MWh", words=chart_words) }}
    </details>
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from markupsafe import Markup, escape

Number = Decimal | float | int

# Each has >= 4.5:1 contrast against white (>= 3:1 is needed for graphics); neighbours avoid red/green pairs.
PALETTE = ("#1d5fa8", "#b35900", "#7b3f9e", "#00796b", "#a8457f", "#2e7d32")
MARKER_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "plus")
DASH_PATTERNS = ("", "8 4", "2 3", "10 3 2 3", "4 4 1 4")
TEXT_COLOUR = "#404040"
AXIS_COLOUR = "#595959"
GRID_COLOUR = "#d9d9d9"

FONT_SIZE = 12
LEGEND_ROW = 22
MARGIN_TOP = 30
MARGIN_BOTTOM = 30
MARGIN_RIGHT = 16
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[int, Number | None]]
    unit: str = ""

    def __post_init__(self) -> None:
        years = [year for year, _value in self.points]
        if len(set(years)) != len(years):
            raise ValueError(f"a year appears twice in series {self.label!r}")

    def values(self) -> dict[int, Decimal | None]:
        return {int(year): _to_decimal(value) for year, value in self.points}


@dataclass(frozen=True)
class ChartWords:
    """The few words a chart says itself; pass them translated (`ChartWords(year=_("Year"), ...)`)."""

    year: str = "Year"
    not_reported: str = "not reported"
    no_data: str = "No data reported"


def format_number(value: float) -> str:
    """Thousands separators, at most two decimals, or three significant digits below 1 (0.0123)."""
    if value == 0:
        return "0"
    if abs(value) >= 1:
        text = f"{value:,.2f}"
    else:
        decimals = 2 - math.floor(math.log10(abs(value)))
        text = f"{value:,.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def nice_ticks(low: Decimal, high: Decimal) -> list[Decimal]:
    """4 to 6 round ticks (steps of 1, 2 or 5 times a power of ten) covering 0 and [low, high]."""
    low, high = min(Decimal(low), Decimal(0)), max(Decimal(high), Decimal(0))
    if low == high:
        high = Decimal(1)
    exponent = (high - low).adjusted()
    fallback: list[Decimal] = []
    for multiples in (("1", "2", "5"), ("1", "2", "2.5", "5")):
        for power in range(exponent - 1, exponent + 2):
            for multiple in multiples:
                step = Decimal(multiple).scaleb(power)
                first = int((low / step).to_integral_value(rounding=ROUND_FLOOR))
                last = int((high / step).to_integral_value(rounding=ROUND_CEILING))
                ticks = [(step * k).normalize() for k in range(first, last + 1)]
                if 4 <= len(ticks) <= 6:
                    return ticks
                if len(ticks) <= 6 and not fallback:
                    fallback = ticks
    return fallback


def line_chart(
    series: list[Series],
    *,
    title: str,
    unit: str,
    width: int = 640,
    height: int = 280,
    number_format: Callable[[float], str] = format_number,
    words: ChartWords = ChartWords(),
    chart_id: str | None = None,
) -> Markup:
    """Lines over the years, one per series; `height` is the plot block, the legend adds rows below it."""
    tables = [(s, s.values()) for s in series]
    years = sorted({year for _s, values in tables for year in values})
    reported = [v for _s, values in tables for v in values.values() if v is not None]
    chart_id = chart_id or _chart_id("line", title, unit, series)
    if not reported:
        return _empty_svg(chart_id, title, unit, width, height, words)

    frame = _Frame(reported, width, height, number_format)
    x_of = _linear_x(years, frame.left, frame.right)
    legend_svg, legend_height = _legend(series, unit, width, height + 4)
    parts = [frame.y_axis(unit), frame.x_labels(years, x_of)]
    for index, (item, values) in enumerate(tables):
        style = _style(index)
        runs: list[list[tuple[float, float]]] = [[]]
        marks = []
        for year in years:
            value = values.get(year)
            if value is None:
                runs.append([])
                continue
            x, y = x_of[year], frame.y(value)
            runs[-1].append((x, y))
            label = f"{item.label}, {year}: {number_format(float(value))} {item.unit or unit}".rstrip()
            marks.append(_marker(style.shape, x, y, 4.5, label))
        lines = [
            f'<polyline class="series-line" points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in run)}"/>'
            for run in runs if len(run) >= 2
        ]
        parts.append(
            f'<g class="series series-{index}" data-shape="{style.shape}" fill="{style.colour}"'
            f' stroke="{style.colour}">'
            f'<g fill="none" stroke-width="2" stroke-linejoin="round"{style.dash_attr}>{"".join(lines)}</g>'
            f'<g stroke="#fff" stroke-width="1">{"".join(marks)}</g></g>'
        )
    parts.append(legend_svg)
    desc = " ".join(_describe(item, values, years, unit, words, number_format) for item, values in tables)
    return _svg(chart_id, "line", title, unit, desc, width, height + legend_height, parts)


def bar_chart(
    series: Series,
    *,
    title: str,
    unit: str,
    width: int = 640,
    height: int = 280,
    number_format: Callable[[float], str] = format_number,
    words: ChartWords = ChartWords(),
    chart_id: str | None = None,
) -> Markup:
    """One bar per year with its value written on it; a year not reported shows "—" instead of a bar."""
    values = series.values()
    years = sorted(values)
    reported = [v for v in values.values() if v is not None]
    chart_id = chart_id or _chart_id("bar", title, unit, [series])
    if not reported:
        return _empty_svg(chart_id, title, unit, width, height, words)

    frame = _Frame(reported, width, height, number_format)
    slot = (frame.right - frame.left) / len(years)
    x_of = {year: frame.left + slot * (i + 0.5) for i, year in enumerate(years)}
    bar_width = min(56.0, slot * 0.6)
    zero_y = frame.y(Decimal(0))
    show_values = all(
        _text_width(number_format(float(v)), FONT_SIZE - 1) + 4 <= slot for v in reported
    )
    colour = PALETTE[0]
    bars = []
    for year in years:
        value, x = values[year], x_of[year]
        if value is None:
            # The words where they fit: a lone dash on the axis could be read as zero.
            shown = words.not_reported if _text_width(words.not_reported, FONT_SIZE - 1) + 4 <= slot else "—"
            bars.append(
                f'<text class="not-reported" x="{_n(x)}" y="{_n(zero_y - 6)}" text-anchor="middle"'
                f' font-size="{FONT_SIZE - 1}" fill="{TEXT_COLOUR}"><title>{_text(words.not_reported)}</title>'
                f"{_text(shown)}</text>"
            )
            continue
        y = frame.y(value)
        top, bottom = min(y, zero_y), max(y, zero_y)
        label = f"{series.label}, {year}: {number_format(float(value))} {series.unit or unit}".rstrip()
        bars.append(
            f'<rect class="bar" x="{_n(x - bar_width / 2)}" y="{_n(top)}" width="{_n(bar_width)}"'
            f' height="{_n(max(bottom - top, 1.0))}" fill="{colour}"><title>{_text(label)}</title></rect>'
        )
        if show_values:
            # Labels of negative bars sit above the zero line, clear of the year labels under the plot.
            text_y = top - 5 if value >= 0 else zero_y - 5
            bars.append(
                f'<text class="bar-value" x="{_n(x)}" y="{_n(text_y)}" text-anchor="middle"'
                f' font-size="{FONT_SIZE - 1}" fill="{TEXT_COLOUR}">{_text(number_format(float(value)))}</text>'
            )
    parts = [frame.y_axis(unit), frame.x_labels(years, x_of, slot), f'<g class="bars">{"".join(bars)}</g>']
    desc = _describe(series, values, years, unit, words, number_format)
    return _svg(chart_id, "bar", title, unit, desc, width, height, parts)


def category_chart(
    items: list[tuple[str, Number]],
    *,
    title: str,
    unit: str,
    width: int = 640,
    number_format: Callable[[float], str] = format_number,
    words: ChartWords = ChartWords(),
    chart_id: str | None = None,
) -> Markup:
    """Horizontal bars of counts or amounts (zero or more) by category, each labelled with its name and value;
    long names are shortened with the full name as a tooltip. The page shows the table behind it itself."""
    rows = [(str(label), _to_decimal(value) or Decimal(0)) for label, value in items]
    if any(value < 0 for _label, value in rows):
        raise ValueError("category_chart draws zero or more; chart signed figures as a table")
    key = Series(title, [(i, value) for i, (_label, value) in enumerate(rows)])
    chart_id = chart_id or _chart_id("category", title, unit, [key])
    height = MARGIN_TOP + LEGEND_ROW * len(rows) + 8
    if not rows:
        return _empty_svg(chart_id, title, unit, width, 120, words)
    label_width = min(max(_text_width(label, FONT_SIZE) for label, _v in rows) + 8, width * 0.4)
    value_width = max(_text_width(number_format(float(v)), FONT_SIZE - 1) for _l, v in rows) + 8
    left, longest = label_width + 8, max(value for _l, value in rows) or Decimal(1)
    span = width - left - value_width - MARGIN_RIGHT
    parts = [f'<text class="unit" x="8" y="{_n(MARGIN_TOP - 14)}" fill="{TEXT_COLOUR}">{_text(unit)}</text>']
    for index, (label, value) in enumerate(rows):
        top = MARGIN_TOP + index * LEGEND_ROW
        shown = _fit(label, label_width - 4, FONT_SIZE)
        tooltip = f"<title>{_text(label)}</title>" if shown != label else ""
        length = float(value / longest) * span
        text = number_format(float(value))
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(top + 15)}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f'{tooltip}{_text(shown)}</text>'
            f'<rect class="bar" x="{_n(left)}" y="{_n(top + 3)}" width="{_n(max(length, 1.0))}" height="16"'
            f' fill="{PALETTE[0]}"><title>{_text(f"{label}: {text} {unit}".rstrip())}</title></rect>'
            f'<text class="bar-value" x="{_n(left + length + 4)}" y="{_n(top + 15)}" font-size="{FONT_SIZE - 1}"'
            f' fill="{TEXT_COLOUR}">{_text(text)}</text>')
    parts.append(f'<line class="axis" x1="{_n(left)}" y1="{_n(MARGIN_TOP)}" x2="{_n(left)}"'
                 f' y2="{_n(height - 8)}" stroke="{AXIS_COLOUR}"/>')
    desc = "; ".join(f"{label}: {number_format(float(value))}" for label, value in rows) + "."
    return _svg(chart_id, "category", title, unit, desc, width, height, parts)


def data_table(
    series: list[Series],
    *,
    caption: str,
    unit: str,
    number_format: Callable[[float], str] = format_number,
    words: ChartWords = ChartWords(),
) -> Markup:
    """The numbers behind a chart: a row per year, a column per series, "—" where a value is not reported."""
    tables = [(s, s.values()) for s in series]
    years = sorted({year for _s, values in tables for year in values})
    missing = (
        f'<td><span aria-hidden="true">—</span><span class="visually-hidden">{_text(words.not_reported)}</span></td>'
    )
    head = "".join(f'<th scope="col">{_text(_with_unit(s.label, s.unit, unit))}</th>' for s in series)
    rows = []
    for year in years:
        cells = []
        for _s, values in tables:
            value = values.get(year)
            cells.append(
                missing if value is None
                else f'<td style="text-align:right">{_text(number_format(float(value)))}</td>'
            )
        rows.append(f'<tr><th scope="row">{year}</th>{"".join(cells)}</tr>')
    caption_text = f"{caption} ({unit})" if unit else caption
    return Markup(
        f'<div class="overflow-auto"><table class="chart-data"><caption>{_text(caption_text)}</caption>'
        f'<thead><tr><th scope="col">{_text(words.year)}</th>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


# --- layout ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    colour: str
    shape: str
    dash: str

    @property
    def dash_attr(self) -> str:
        return f' stroke-dasharray="{self.dash}"' if self.dash else ""


def _style(index: int) -> _Style:
    return _Style(
        PALETTE[index % len(PALETTE)],
        MARKER_SHAPES[index % len(MARKER_SHAPES)],
        DASH_PATTERNS[index % len(DASH_PATTERNS)],
    )


class _Frame:
    """The plot rectangle, its y scale from round ticks, and the axes drawn around it."""

    def __init__(self, values: list[Decimal], width: int, height: int, number_format: Callable[[float], str]):
        self.ticks = nice_ticks(min(values), max(values))
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.tick_labels = [number_format(float(tick)) for tick in self.ticks]
        self.left = max(36.0, max(_text_width(t, FONT_SIZE) for t in self.tick_labels) + 14)
        self.right = float(width - MARGIN_RIGHT)
        self.top = float(MARGIN_TOP)
        self.bottom = float(max(height - MARGIN_BOTTOM, MARGIN_TOP + 40))

    def y(self, value: Decimal) -> float:
        return self.top + float((self.high - value) / (self.high - self.low)) * (self.bottom - self.top)

    def y_axis(self, unit: str) -> str:
        parts = [f'<text class="unit" x="8" y="{_n(self.top - 14)}" fill="{TEXT_COLOUR}">{_text(unit)}</text>']
        for tick, label in zip(self.ticks, self.tick_labels, strict=True):
            y = _n(self.y(tick))
            if tick == 0 and self.low < 0:
                parts.append(f'<line class="zero" x1="{_n(self.left)}" y1="{y}" x2="{_n(self.right)}" y2="{y}"'
                             f' stroke="{AXIS_COLOUR}"/>')
            elif tick != self.low:
                parts.append(f'<line class="grid" x1="{_n(self.left)}" y1="{y}" x2="{_n(self.right)}" y2="{y}"'
                             f' stroke="{GRID_COLOUR}"/>')
            parts.append(f'<text x="{_n(self.left - 6)}" y="{_n(self.y(tick) + 4)}" text-anchor="end"'
                         f' fill="{TEXT_COLOUR}">{_text(label)}</text>')
        left, bottom = _n(self.left), _n(self.bottom)
        parts.append(f'<line class="axis" x1="{left}" y1="{_n(self.top)}" x2="{left}" y2="{bottom}"'
                     f' stroke="{AXIS_COLOUR}"/>')
        parts.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{_n(self.right)}" y2="{bottom}"'
                     f' stroke="{AXIS_COLOUR}"/>')
        return f'<g class="y-axis">{"".join(parts)}</g>'

    def x_labels(self, years: list[int], x_of: dict[int, float], spacing: float | None = None) -> str:
        if spacing is None:
            gaps = [x_of[b] - x_of[a] for a, b in itertools.pairwise(years)]
            spacing = min(gaps, default=self.right - self.left)
        every = max(1, math.ceil((_text_width("0000", FONT_SIZE) + 8) / max(spacing, 1.0)))
        labels = [
            f'<text x="{_n(x_of[year])}" y="{_n(self.bottom + 18)}" text-anchor="middle"'
            f' fill="{TEXT_COLOUR}">{year}</text>'
            for i, year in enumerate(years) if i % every == 0
        ]
        return f'<g class="x-axis">{"".join(labels)}</g>'


def _linear_x(years: list[int], left: float, right: float) -> dict[int, float]:
    """Years placed by their value, so a year missing from every series still leaves its space."""
    if len(years) == 1:
        return {years[0]: (left + right) / 2}
    pad = min(24.0, (right - left) / (2 * len(years)))
    first, span = years[0], years[-1] - years[0]
    return {year: left + pad + (year - first) / span * (right - left - 2 * pad) for year in years}


def _legend(series: list[Series], unit: str, width: int, top: float) -> tuple[str, int]:
    sample, gap, x_start = 30.0, 18.0, 8.0
    x, row, items = x_start, 0, []
    available = width - 2 * x_start - sample - 6
    for index, item in enumerate(series):
        style = _style(index)
        full = _with_unit(item.label, item.unit, unit)
        label = _fit(full, available, FONT_SIZE)
        item_width = sample + 6 + _text_width(label, FONT_SIZE)
        if x > x_start and x + item_width > width - x_start:
            x, row = x_start, row + 1
        y = top + row * LEGEND_ROW + LEGEND_ROW / 2
        tooltip = f"<title>{_text(full)}</title>" if label != full else ""
        items.append(
            f'<g class="legend-item" data-shape="{style.shape}" fill="{style.colour}" stroke="{style.colour}">'
            f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + sample)}" y2="{_n(y)}" stroke-width="2"{style.dash_attr}/>'
            f'{_marker(style.shape, x + sample / 2, y, 4.5, None, outline=True)}'
            f'<text x="{_n(x + sample + 6)}" y="{_n(y + 4)}" fill="{TEXT_COLOUR}" stroke="none">'
            f"{tooltip}{_text(label)}</text></g>"
        )
        x += item_width + gap
    rows = row + 1 if series else 0
    return f'<g class="legend">{"".join(items)}</g>', rows * LEGEND_ROW + 6


def _marker(shape: str, x: float, y: float, r: float, label: str | None, *, outline: bool = False) -> str:
    tooltip = f"<title>{_text(label)}</title>" if label else ""
    extra = ' stroke="#fff" stroke-width="1" stroke-dasharray="none"' if outline else ""
    if shape == "circle":
        return f'<circle class="marker" cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}"{extra}>{tooltip}</circle>'
    s = r * 1.2
    corners = {
        "square": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "triangle": [(0, -s), (s, s * 0.7), (-s, s * 0.7)],
        "diamond": [(0, -s), (s, 0), (0, s), (-s, 0)],
        "triangle-down": [(0, s), (s, -s * 0.7), (-s, -s * 0.7)],
        "plus": [(-s / 3, -s), (s / 3, -s), (s / 3, -s / 3), (s, -s / 3), (s, s / 3), (s / 3, s / 3),
                 (s / 3, s), (-s / 3, s), (-s / 3, s / 3), (-s, s / 3), (-s, -s / 3), (-s / 3, -s / 3)],
    }[shape]
    d = "M" + " L".join(f"{_n(x + dx)} {_n(y + dy)}" for dx, dy in corners) + " Z"
    return f'<path class="marker" d="{d}"{extra}>{tooltip}</path>'


def _svg(chart_id: str, kind: str, title: str, unit: str, desc: str, width: int, height: int,
         parts: Iterable[str]) -> Markup:
    ident = _text(chart_id)
    full_title = f"{title} ({unit})" if unit else title
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img"'
        f' aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {width} {height}"'
        f' style="width:100%;height:auto" font-size="{FONT_SIZE}">'
        f'<title id="{ident}-title">{_text(full_title)}</title><desc id="{ident}-desc">{_text(desc)}</desc>'
        f'{"".join(parts)}</svg>'
    )


def _empty_svg(chart_id: str, title: str, unit: str, width: int, height: int, words: ChartWords) -> Markup:
    box = (f'<rect class="no-data" x="8.5" y="8.5" width="{width - 17}" height="{height - 17}" fill="none"'
           f' stroke="{AXIS_COLOUR}" stroke-dasharray="4 4"/>'
           f'<text class="no-data" x="{_n(width / 2)}" y="{_n(height / 2 + 5)}" text-anchor="middle"'
           f' font-size="{FONT_SIZE + 2}" fill="{TEXT_COLOUR}">{_text(words.no_data)}</text>')
    return _svg(chart_id, "empty", title, unit, words.no_data, width, height, [box])


# --- text --------------------------------------------------------------------------------------------------


def _describe(item: Series, values: dict[int, Decimal | None], years: list[int], unit: str, words: ChartWords,
              number_format: Callable[[float], str]) -> str:
    """Every year of the chart in words, e.g. `Electricity (MWh): 2021: 1,234; 2022: not reported.`"""
    def say(year: int) -> str:
        value = values.get(year)
        return f"{year}: {words.not_reported if value is None else number_format(float(value))}"

    return f"{_with_unit(item.label, item.unit, unit)}: {'; '.join(say(year) for year in years)}."


def _with_unit(label: str, own_unit: str, chart_unit: str) -> str:
    return f"{label} ({own_unit})" if own_unit and own_unit != chart_unit else label


def _text(value: str) -> str:
    """Escaped for HTML and XML alike; control characters (never meaningful in a label) would break XML."""
    return str(escape(_CONTROL_CHARS.sub("", str(value))))


def _text_width(text: str, size: float) -> float:
    """A width estimate: CJK and full-width characters take a full em, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def _fit(text: str, width: float, size: float) -> str:
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _n(value: float) -> str:
    """Coordinates to one decimal, without "-0" or a trailing ".0"."""
    text = f"{round(value, 1):.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _chart_id(kind: str, title: str, unit: str, series: list[Series]) -> str:
    key = repr((kind, title, unit, [(s.label, s.unit, sorted(s.values().items())) for s in series]))
    return "chart-" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:10]


def _to_decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    # repr() gives the shortest decimal that round-trips, so 0.1 stays 0.1 rather than 0.1000000000000000055...
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number
