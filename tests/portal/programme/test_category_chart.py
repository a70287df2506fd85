"""Horizontal bars by category (portal.charts.category_chart), as the programme dashboard draws them."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from portal.charts import ChartWords, category_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_one_bar_per_category_longest_for_the_largest_value_with_its_value_written():
    root = ET.fromstring(str(category_chart([("一级", 3), ("二级", Decimal("1.5")), ("无", 0)], title="T",
                                            unit="家")))
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    widths = [float(bar.get("width")) for bar in bars]
    assert len(bars) == 3 and widths[0] == max(widths) and widths[1] == pytest.approx(widths[0] / 2, abs=0.1)
    assert [t.text for t in root.findall(f".//{SVG}text[@class='bar-value']")] == ["3", "1.5", "0"]
    assert root.find(f"{SVG}desc").text == "一级: 3; 二级: 1.5; 无: 0."


def test_names_are_escaped_and_long_ones_shortened_with_the_full_name_as_tooltip():
    name = "<script>" + "很长的采购企业名称" * 6
    markup = str(category_chart([(name, 1)], title="T", unit="", width=420))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = ET.fromstring(markup)
    label = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    assert label.find(f"{SVG}title").text == name and label.find(f"{SVG}title").tail.endswith("…")


def test_no_categories_says_so_and_negative_values_are_refused():
    assert "暂无" in str(category_chart([], title="T", unit="", words=ChartWords(no_data="暂无数据")))
    with pytest.raises(ValueError):
        category_chart([("a", -1)], title="T", unit="")
    assert str(category_chart([("a", 1)], title="T", unit="")) == str(category_chart([("a", 1)], title="T", unit=""))
