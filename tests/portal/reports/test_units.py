from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.reports.units import UNITS, UnitError, conversion, convert, label, units_for

D = Decimal
DIMENSIONS = sorted({u.dimension for u in UNITS.values()})


@pytest.mark.parametrize(("value", "from_code", "to_code", "expected"), [
    ("1234500", "kWh", "MWh", "1234.5"),  # 1,234,500 / 1,000
    ("12.5", "10k_kWh", "kWh", "125000"),  # 12.5 万千瓦时 × 10,000
    ("3", "MWh", "10k_kWh", "0.3"),  # 3,000 kWh / 10,000
    ("2500", "kg", "t", "2.5"),
    ("125000", "Nm3", "10k_Nm3", "12.5"),
    ("1.5", "GJ", "MJ", "1500"),
    ("42", "t_water", "m3", "42"),  # 1 t of water = 1 m³
    ("250", "ug_L", "mg_L", "0.25"),
    ("7", "g_m3", "mg_L", "7"),  # g/m³ = mg/L
    ("350000", "yuan", "10k_yuan", "35"),
    ("65", "dBA", "dBA", "65"),
])
def test_converts_exactly(value, from_code, to_code, expected):
    result = convert(D(value), from_code, to_code)
    assert result == D(expected)
    assert isinstance(result, Decimal)


def test_conversion_keeps_every_digit():
    assert convert(D("0.000000000000000000000000000001"), "kWh", "10k_kWh") == D("1E-34")
    assert convert(D("123456789012345678901234567890.123"), "kg", "t") == D("123456789012345678901234567.890123")


def test_dimension_mismatch_raises():
    with pytest.raises(UnitError, match="cannot convert"):
        convert(D(1), "kWh", "GJ")
    with pytest.raises(UnitError):
        convert(D(1), "t", "t_water")
    with pytest.raises(UnitError):
        convert(D(1), "person", "day")


def test_unknown_unit_raises():
    with pytest.raises(UnitError, match="unknown unit"):
        convert(D(1), "kwh", "MWh")
    with pytest.raises(UnitError):
        label("furlong", "en")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        convert(1.5, "kWh", "MWh")


def test_metered_gas_is_taken_as_standard_cubic_metres_and_flagged_approximate():
    result = conversion(D("125000"), "m3_gas", "10k_Nm3")  # 125,000 m³ ≈ 125,000 Nm³ = 12.5 万Nm³
    assert result.value == D("12.5")
    assert result.unit == "10k_Nm3"
    assert result.approximate
    assert "temperature" in result.note and "pressure" in result.note


def test_standard_gas_units_are_exact():
    result = conversion(D("125000"), "Nm3", "10k_Nm3")
    assert not result.approximate
    assert result.note is None
    assert not conversion(D(5), "m3_gas", "m3_gas").approximate


def test_units_for_lists_a_dimension():
    assert [u.code for u in units_for("electricity")] == ["kWh", "MWh", "10k_kWh"]
    assert [u.code for u in units_for("gas_volume")] == ["Nm3", "10k_Nm3", "m3_gas"]
    assert units_for("no_such_dimension") == []


def test_labels_follow_locale():
    assert label("10k_kWh", "zh") == "万千瓦时"
    assert label("10k_Nm3", "zh_Hans") == "万标准立方米"
    assert label("10k_Nm3", "en") == "10,000 Nm³"


def test_codes_are_ascii():
    assert all(code.isascii() and " " not in code for code in UNITS)


@st.composite
def same_dimension_units(draw):
    dimension = draw(st.sampled_from(DIMENSIONS))
    codes = [u.code for u in units_for(dimension)]
    return draw(st.sampled_from(codes)), draw(st.sampled_from(codes))


@given(value=st.decimals(min_value=-10**15, max_value=10**15, places=6, allow_nan=False, allow_infinity=False),
       pair=same_dimension_units())
def test_converting_there_and_back_returns_the_value(value, pair):
    from_code, to_code = pair
    assert convert(convert(value, from_code, to_code), to_code, from_code) == value
