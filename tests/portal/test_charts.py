"""SVG trend charts and the tables behind them: well-formed, accessible, readable without colour, deterministic."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from markupsafe import Markup

from portal.charts import (
    DASH_PATTERNS,
    PALETTE,
    ChartWords,
    Series,
    bar_chart,
    data_table,
    format_number,
    line_chart,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"
ELECTRICITY = Series("Electricity", [(2021, 1234), (2022, Decimal("1100.5")), (2023, 973)])
WATER = Series("Water", [(2021, 300.25), (2022, None), (2023, 280)], unit="m³")


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def by_id(root: ET.Element, ident: str) -> ET.Element:
    found = [el for el in root.iter() if el.get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


def series_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "series" in (g.get("class") or "").split()]


def polylines(group: ET.Element) -> list[ET.Element]:
    return list(group.iter(f"{SVG}polyline"))


def markers(group: ET.Element) -> list[ET.Element]:
    return [el for el in group.iter() if el.get("class") == "marker"]


def outline(marker: ET.Element) -> tuple:
    """A marker's corners relative to its centre, so the same shape at two places compares equal."""
    if marker.tag == f"{SVG}circle":
        return ("circle", marker.get("r"))
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", marker.get("d"))]
    xs, ys = numbers[0::2], numbers[1::2]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    return tuple((round(x - cx), round(y - cy)) for x, y in zip(xs, ys, strict=True))


def tick_labels(root: ET.Element) -> list[str]:
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "y-axis")
    return [t.text for t in axis.iter(f"{SVG}text") if t.get("class") != "unit"]


def test_line_chart_is_well_formed_svg_that_scales_to_its_container():
    markup = line_chart([ELECTRICITY, WATER], title="Energy use", unit="MWh")
    assert isinstance(markup, Markup)
    root = parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox").startswith("0 0 640 ")
    assert "width:100%" in root.get("style") and "height:auto" in root.get("style")
    assert root.get("width") is None and root.get("height") is None


def test_title_and_desc_come_first_and_are_referenced_by_aria_labelledby():
    root = parse(line_chart([ELECTRICITY, WATER], title="Energy use", unit="MWh"))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root[0].tag == f"{SVG}title" and root[0].get("id") == title_id
    assert root[1].tag == f"{SVG}desc" and root[1].get("id") == desc_id
    assert root[0].text == "Energy use (MWh)"
    desc = root[1].text
    assert "Electricity: 2021: 1,234; 2022: 1,100.5; 2023: 973." in desc
    assert "Water (m³): 2021: 300.25; 2022: not reported; 2023: 280." in desc


def test_two_charts_on_one_page_get_different_ids_unless_given_one():
    first = parse(line_chart([ELECTRICITY], title="Energy use", unit="MWh"))
    second = parse(line_chart([WATER], title="Water use", unit="m³"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")
    named = parse(line_chart([ELECTRICITY], title="Energy use", unit="MWh", chart_id="energy"))
    assert named.get("aria-labelledby") == "energy-title energy-desc"


def test_a_value_not_reported_breaks_the_line_in_two():
    series = Series("Gas", [(2019, 10), (2020, 12), (2021, None), (2022, 14), (2023, 15)])
    (group,) = series_groups(parse(line_chart([series], title="Gas", unit="m³")))
    lines = polylines(group)
    assert len(lines) == 2
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    assert len(markers(group)) == 4


def test_a_year_missing_from_one_series_is_a_gap_too_not_a_line_across_it():
    complete = Series("A", [(2020, 1), (2021, 2), (2022, 3)])
    patchy = Series("B", [(2020, 1), (2022, 3)])
    _, group = series_groups(parse(line_chart([complete, patchy], title="T", unit="t")))
    assert polylines(group) == [] and len(markers(group)) == 2


def test_a_single_point_still_shows_as_a_marker():
    root = parse(line_chart([Series("Once", [(2023, 5)])], title="T", unit="t"))
    (group,) = series_groups(root)
    assert polylines(group) == [] and len(markers(group)) == 1
    assert "no-data" not in str(ET.tostring(root))


def test_series_differ_by_marker_shape_and_dash_not_only_by_colour():
    series = [Series(f"S{i}", [(2021, i), (2022, i + 1)]) for i in range(5)]
    root = parse(line_chart(series, title="T", unit="t"))
    groups = series_groups(root)
    shapes = [g.get("data-shape") for g in groups]
    assert len(set(shapes)) == 5
    dashes = [g.find(f"{SVG}g").get("stroke-dasharray") for g in groups]
    assert len(set(dashes)) == 5
    drawn = [outline(markers(g)[0]) for g in groups]
    assert len(set(drawn)) == 5, "each shape draws differently"
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend-item"]
    assert [g.get("data-shape") for g in legend] == shapes
    assert [g.find(f"{SVG}text").text for g in legend] == [f"S{i}" for i in range(5)]
    assert all(g.find(f"{SVG}line").get("stroke-dasharray") == d for g, d in zip(legend, dashes, strict=True))


def _contrast_with_white(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_every_series_colour_has_3_to_1_contrast_against_white():
    assert len(PALETTE) >= 3
    assert all(_contrast_with_white(colour) >= 3 for colour in PALETTE)
    assert len(DASH_PATTERNS) >= 4


def test_labels_are_escaped_and_chinese_is_kept_verbatim():
    series = [Series("<script>alert(1)</script>", [(2022, 1), (2023, 2)]),
              Series("用电量 & 用水量", [(2022, 3), (2023, 4)], unit="万千瓦时")]
    markup = str(line_chart(series, title='Title "<b>"', unit="kWh"))
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "用电量 &amp; 用水量 (万千瓦时)" in markup
    root = parse(markup)
    assert root[0].text == 'Title "<b>" (kWh)'
    legend_texts = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "legend-item"
                    for t in g.iter(f"{SVG}text")]
    assert legend_texts == ["<script>alert(1)</script>", "用电量 & 用水量 (万千瓦时)"]


def test_control_characters_in_a_label_do_not_break_the_xml():
    parse(line_chart([Series("bad\x00\x1blabel", [(2022, 1)])], title="T", unit="t"))


@pytest.mark.parametrize(("low", "high", "expected"), [
    ("0", "973", ["0", "200", "400", "600", "800", "1000"]),
    ("12", "973", ["0", "200", "400", "600", "800", "1000"]),
    ("0", "10", ["0", "2", "4", "6", "8", "10"]),
    ("0", "12", ["0", "5", "10", "15"]),
    ("0.0123", "0.0456", ["0", "0.01", "0.02", "0.03", "0.04", "0.05"]),
    ("0", "0", ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    ("-50", "30", ["-60", "-40", "-20", "0", "20", "40"]),
    ("-973", "-120", ["-1000", "-800", "-600", "-400", "-200", "0"]),
])
def test_ticks_are_round_numbers_from_zero(low, high, expected):
    assert nice_ticks(Decimal(low), Decimal(high)) == [Decimal(v) for v in expected]


@pytest.mark.parametrize("high", ["0.7", "3", "47", "973", "1234", "86000", "0.00042"])
def test_there_are_four_to_six_ticks(high):
    assert 4 <= len(nice_ticks(Decimal(0), Decimal(high))) <= 6


def test_y_axis_of_values_up_to_973_reads_0_to_1000_in_steps_of_200():
    root = parse(line_chart([Series("E", [(2021, 12), (2022, 973)])], title="T", unit="MWh"))
    assert tick_labels(root) == ["0", "200", "400", "600", "800", "1,000"]


def test_negative_values_extend_the_axis_below_a_zero_line():
    series = Series("Net emissions", [(2021, 30), (2022, -50), (2023, None)])
    root = parse(line_chart([series], title="Net", unit="tCO2e"))
    assert tick_labels(root) == ["-60", "-40", "-20", "0", "20", "40"]
    zero_lines = [line for line in root.iter(f"{SVG}line") if line.get("class") == "zero"]
    assert len(zero_lines) == 1
    (group,) = series_groups(root)
    ys = [float(p.split(",")[1]) for p in polylines(group)[0].get("points").split()]
    zero_y = float(zero_lines[0].get("y1"))
    assert ys[0] < zero_y < ys[1]


@pytest.mark.parametrize("series", [[], [Series("Nothing", [])], [Series("Nothing", [(2022, None), (2023, None)])]])
def test_a_chart_without_values_says_so(series):
    words = ChartWords(no_data="暂无数据")
    root = parse(line_chart(series, title="Energy", unit="MWh", words=words))
    assert root[1].text == "暂无数据"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["暂无数据"]
    assert series_groups(root) == []


def test_the_same_input_gives_the_same_output():
    def build() -> str:
        return str(line_chart([Series("Electricity", [(2021, 1 / 3), (2022, 2 / 3)]), WATER], title="T", unit="t"))

    assert build() == build()
    assert str(bar_chart(WATER, title="W", unit="m³")) == str(bar_chart(WATER, title="W", unit="m³"))


def test_coordinates_carry_at_most_one_decimal():
    markup = str(line_chart([Series("Thirds", [(2021, 1 / 3), (2022, 2 / 3), (2024, 0.1 + 0.2)]), WATER],
                            title="T", unit="t", width=613, height=277))
    numbers = re.findall(r'(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height)="(-?[\d.]+)"', markup)
    numbers += [n for pts in re.findall(r'points="([^"]+)"', markup) for n in re.split(r"[ ,]", pts)]
    numbers += [n for d in re.findall(r' d="([^"]+)"', markup) for n in re.findall(r"-?[\d.]+", d)]
    assert numbers
    assert all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers), [n for n in numbers if len(n) > 8]


def test_number_format_of_the_caller_is_used_for_ticks_and_desc():
    root = parse(line_chart([ELECTRICITY], title="T", unit="MWh", number_format=lambda v: f"[{v:.0f}]"))
    assert tick_labels(root)[-1] == "[1500]"
    assert "2021: [1234]" in root[1].text


def test_bar_chart_draws_a_bar_per_reported_year_and_says_which_year_is_missing():
    root = parse(bar_chart(WATER, title="Water", unit="m³"))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 2
    missing = [t for t in root.iter(f"{SVG}text") if t.get("class") == "not-reported"]
    assert len(missing) == 1 and missing[0].find(f"{SVG}title").text == "not reported"
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "bar-value"]
    assert values == ["300.25", "280"]
    assert root[1].text == "Water: 2021: 300.25; 2022: not reported; 2023: 280."


def test_bar_chart_of_negative_values_hangs_bars_below_zero():
    root = parse(bar_chart(Series("Net", [(2021, -50), (2022, 20)]), title="Net", unit="t"))
    zero_y = float(next(line for line in root.iter(f"{SVG}line") if line.get("class") == "zero").get("y1"))
    negative, positive = (r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar")
    assert float(negative.get("y")) == zero_y
    assert float(positive.get("y")) + float(positive.get("height")) == zero_y


def test_data_table_has_a_row_per_year_a_column_per_series_and_a_dash_for_missing():
    words = ChartWords(year="年份", not_reported="未填报")
    markup = data_table([ELECTRICITY, WATER, Series("天然气", [(2020, 5)])], caption="能源", unit="MWh",
                        words=words)
    table = parse(markup).find("table")
    assert table.find("caption").text == "能源 (MWh)"
    head = [th.text for th in table.find("thead").iter("th")]
    assert head == ["年份", "Electricity", "Water (m³)", "天然气"]
    assert all(th.get("scope") == "col" for th in table.find("thead").iter("th"))
    rows = table.find("tbody").findall("tr")
    assert [row.find("th").text for row in rows] == ["2020", "2021", "2022", "2023"]
    assert all(row.find("th").get("scope") == "row" for row in rows)

    def cell(td: ET.Element) -> str:
        return "".join(td.itertext())

    assert [[cell(td) for td in row.findall("td")] for row in rows] == [
        ["—未填报", "—未填报", "5"],
        ["1,234", "300.25", "—未填报"],
        ["1,100.5", "—未填报", "—未填报"],
        ["973", "280", "—未填报"],
    ]
    dash = rows[0].find("td").find("span")
    assert dash.text == "—" and dash.get("aria-hidden") == "true"


def test_data_table_escapes_labels():
    markup = str(data_table([Series("<img src=x>", [(2022, 1)])], caption="<b>", unit=""))
    assert "<img" not in markup and "<b>" not in markup
    assert parse(markup).find("table/caption").text == "<b>"


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (1234, "1,234"), (1234.5, "1,234.5"), (1234.567, "1,234.57"), (0.012345, "0.0123"),
    (-0.5, "-0.5"), (-1234.0, "-1,234"), (1e-12, "0.000000000001"),
])
def test_default_number_format(value, text):
    assert format_number(value) == text


def test_a_year_given_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        Series("Twice", [(2022, 1), (2022, 2)])


def test_a_value_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError, match="finite"):
        line_chart([Series("NaN", [(2022, float("nan"))])], title="T", unit="t")
