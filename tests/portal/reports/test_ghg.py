from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.reports.factor_defaults import DEFAULT_FACTORS, FUEL_FACTOR_INPUTS
from portal.reports.ghg import ENERGY_TYPES, Factor, GhgError, compute, intensity, pick_factor
from portal.reports.units import UnitError

D = Decimal


def only_line(result):
    (line,) = result.lines
    return line


def test_grid_electricity_uses_the_report_year_factor():
    # 1,234,500 kWh = 1,234.5 MWh; 1,234.5 × 0.5366 = 662.4327 → 662.433 tCO2 (2022 national average)
    result = compute({"electricity": (D("1234500"), "kWh")}, 2022, DEFAULT_FACTORS)
    line = only_line(result)
    assert line.scope == 2
    assert line.converted_value == D("1234.5")
    assert line.converted_unit == "MWh"
    assert line.factor_value == D("0.5366")
    assert line.factor_year == 2022
    assert not line.factor_from_earlier_year
    assert line.confirmed
    assert line.tco2 == D("662.433")
    assert line.converted and line.factor_unit == "tCO2/MWh"  # the page shows the kWh -> MWh step first
    assert "2022年电力二氧化碳排放因子" in line.source
    assert (result.scope1, result.scope2, result.total) == (D("0"), D("662.433"), D("662.433"))
    assert not result.unconfirmed


def test_natural_gas_in_ten_thousand_cubic_metres_is_unconfirmed_scope1():
    # 12.5 万Nm³ × 21.62 tCO2/万Nm³ = 270.25 tCO2
    result = compute({"natural_gas": (D("12.5"), "10k_Nm3")}, 2021, DEFAULT_FACTORS)
    line = only_line(result)
    assert line.tco2 == D("270.250")
    assert not line.converted and (line.converted_value, line.converted_unit) == (D("12.5"), "10k_Nm3")
    assert line.factor_unit == "tCO2/10k_Nm3"
    assert line.confirmed is False
    assert result.scope1 == D("270.25")
    assert result.unconfirmed


def test_later_report_year_falls_back_to_the_latest_earlier_factor_with_a_flag():
    # 2025 has no published factor: 2023's 0.5306 is used. 1,000 MWh × 0.5306 = 530.6 tCO2
    line = only_line(compute({"electricity": (D("1000"), "MWh")}, 2025, DEFAULT_FACTORS))
    assert line.factor_value == D("0.5306")
    assert line.factor_year == 2023
    assert line.factor_from_earlier_year
    assert line.tco2 == D("530.600")


def test_factor_of_a_later_year_is_never_used():
    assert pick_factor("electricity", 2020, DEFAULT_FACTORS) is None
    result = compute({"electricity": (D("1000"), "MWh")}, 2020, DEFAULT_FACTORS)
    assert only_line(result).missing_factor
    assert result.total == 0


@pytest.mark.parametrize("energy_type", ["gasoline", "lpg", "purchased_heat"])
def test_types_without_a_sourced_factor_are_missing_not_guessed(energy_type):
    unit = "GJ" if energy_type == "purchased_heat" else "t"
    result = compute({energy_type: (D("10"), unit), "diesel": (D("2.5"), "t")}, 2023, DEFAULT_FACTORS)
    missing = next(line for line in result.lines if line.energy_type == energy_type)
    assert missing.missing_factor
    assert missing.tco2 is None and missing.factor_value is None and not missing.converted
    assert missing.input_value == D("10") and missing.input_unit == unit
    assert result.missing_factor_types == [energy_type]
    assert not result.complete
    # only diesel counts: 2.5 t × 3.10 = 7.75 tCO2
    assert result.total == D("7.750")


def test_mixed_site_adds_scopes():
    # electricity 2023: 500,000 kWh = 500 MWh × 0.5306 = 265.3
    # natural gas: 30,000 Nm³ = 3 万Nm³ × 21.62 = 64.86
    # diesel: 1,200 kg = 1.2 t × 3.10 = 3.72
    # coal: 10 t × 1.74 = 17.4
    # scope 1 = 64.86 + 3.72 + 17.4 = 85.98; scope 2 = 265.3; total = 351.28
    result = compute({"coal": (D("10"), "t"), "electricity": (D("500000"), "kWh"),
                      "natural_gas": (D("30000"), "Nm3"), "diesel": (D("1200"), "kg")}, 2023, DEFAULT_FACTORS)
    assert [line.energy_type for line in result.lines] == ["electricity", "natural_gas", "diesel", "coal"]
    assert result.scope1 == D("85.980")
    assert result.scope2 == D("265.300")
    assert result.total == D("351.280")
    assert result.unconfirmed
    assert result.complete


def test_tco2_is_rounded_half_up_to_a_kilogram():
    # 1 kWh = 0.001 MWh × 0.5306 = 0.0005306 → 0.001 t
    assert only_line(compute({"electricity": (D("1"), "kWh")}, 2023, DEFAULT_FACTORS)).tco2 == D("0.001")
    # 0.5 kWh × 0.5306 = 0.0002653 → 0.000 t
    assert only_line(compute({"electricity": (D("0.5"), "kWh")}, 2023, DEFAULT_FACTORS)).tco2 == D("0.000")


def test_metered_gas_volume_is_flagged_approximate():
    # 125,000 m³ at the meter ≈ 125,000 Nm³ = 12.5 万Nm³ × 21.62 = 270.25 tCO2
    result = compute({"natural_gas": (D("125000"), "m3_gas")}, 2023, DEFAULT_FACTORS)
    line = only_line(result)
    assert line.tco2 == D("270.250")
    assert line.approximate and result.approximate
    assert "pressure" in line.approximation_note
    assert line.converted and (line.converted_value, line.converted_unit) == (D("12.5"), "10k_Nm3")


def test_renewable_electricity_is_not_multiplied_by_the_grid_factor():
    # 1,500,000 kWh consumed, of which 265,500 kWh rooftop PV: grid = 1,234,500 kWh = 1,234.5 MWh
    # 1,234.5 × 0.5366 = 662.433 tCO2
    result = compute({"electricity": (D("1500000"), "kWh")}, 2022, DEFAULT_FACTORS,
                     renewable_electricity=(D("265.5"), "MWh"))
    line = only_line(result)
    assert line.input_value == D("1500000")
    assert (line.deducted_value, line.deducted_unit) == (D("265.5"), "MWh")
    assert line.converted_value == D("1234.5")
    assert line.tco2 == D("662.433")
    assert line.converted and line.converted_unit == "MWh"


def test_renewable_electricity_cannot_exceed_consumption():
    with pytest.raises(GhgError, match="exceeds"):
        compute({"electricity": (D("100"), "kWh")}, 2022, DEFAULT_FACTORS, renewable_electricity=(D("1"), "MWh"))
    with pytest.raises(GhgError):
        compute({}, 2022, DEFAULT_FACTORS, renewable_electricity=(D("1"), "MWh"))


def test_activity_in_the_wrong_dimension_raises():
    with pytest.raises(GhgError, match="cannot convert") as info:
        compute({"electricity": (D("5"), "t")}, 2022, DEFAULT_FACTORS)
    assert info.value.energy_type == "electricity"
    with pytest.raises(GhgError, match="unknown unit"):
        compute({"diesel": (D("5"), "litre")}, 2022, DEFAULT_FACTORS)


def test_bad_input_raises():
    with pytest.raises(GhgError, match="unknown energy types"):
        compute({"hydrogen": (D("1"), "t")}, 2022, DEFAULT_FACTORS)
    with pytest.raises(GhgError, match="negative"):
        compute({"diesel": (D("-1"), "t")}, 2022, DEFAULT_FACTORS)
    with pytest.raises(GhgError):
        compute({"diesel": (1.5, "t")}, 2022, DEFAULT_FACTORS)


def test_two_factors_for_one_year_are_ambiguous():
    extra = Factor(year=2022, energy_type="electricity", scope=2, value=D("0.3869"), unit="MWh", source="x",
                   confirmed=True)
    with pytest.raises(GhgError, match="2 factors"):
        compute({"electricity": (D("1"), "MWh")}, 2022, [*DEFAULT_FACTORS, extra])


def test_factor_scope_must_match_the_energy_type():
    with pytest.raises(GhgError):
        Factor(year=2022, energy_type="electricity", scope=1, value=D("1"), unit="MWh", source="x", confirmed=True)
    with pytest.raises(UnitError):
        Factor(year=2022, energy_type="diesel", scope=1, value=D("1"), unit="litre", source="x", confirmed=True)


def test_default_factors_are_exactly_the_sourced_ones():
    table = {(f.energy_type, f.year): (f.value, f.unit, f.confirmed) for f in DEFAULT_FACTORS}
    assert table == {
        ("electricity", 2021): (D("0.5568"), "MWh", True),
        ("electricity", 2022): (D("0.5366"), "MWh", True),
        ("electricity", 2023): (D("0.5306"), "MWh", True),
        ("natural_gas", 2021): (D("21.62"), "10k_Nm3", False),
        ("diesel", 2021): (D("3.10"), "t", False),
        ("coal", 2021): (D("1.74"), "t", False),
    }
    assert len(DEFAULT_FACTORS) == len(table)
    assert "2024年第12号公告" in next(f.source for f in DEFAULT_FACTORS if f.year == 2021
                                      and f.energy_type == "electricity")
    assert all("未核实" in f.source for f in DEFAULT_FACTORS if not f.confirmed)


@pytest.mark.parametrize("energy_type", sorted(FUEL_FACTOR_INPUTS))
def test_fuel_defaults_are_the_rounded_products_of_their_inputs(energy_type):
    # NCV (GJ/unit) × carbon content (tC/TJ) / 1000 × oxidation × 44/12, e.g. natural gas:
    # 389.31 × 15.3 / 1000 × 0.99 × 44/12 = 21.62189 → 21.62
    ncv, carbon, oxidation = FUEL_FACTOR_INPUTS[energy_type]
    product = ncv * carbon / 1000 * oxidation * 44 / 12
    factor = next(f for f in DEFAULT_FACTORS if f.energy_type == energy_type)
    assert product.quantize(factor.value, rounding=ROUND_HALF_UP) == factor.value
    assert abs(product - factor.value) < D("0.005")


def test_natural_gas_default_is_about_2_16_kg_per_cubic_metre():
    # 21.62 t / 10,000 Nm³ = 2.162 kg/Nm³
    line = only_line(compute({"natural_gas": (D("1"), "Nm3")}, 2022, DEFAULT_FACTORS))
    assert line.tco2 == D("0.002")


def test_intensity_per_ten_thousand_yuan():
    # 662.433 tCO2 / (50,000,000 yuan = 5,000 万元) = 0.13248.. → 0.1325
    assert intensity(D("662.433"), D("50000000"), "yuan") == D("0.1325")
    assert intensity(D("662.433"), D("5000"), "10k_yuan") == D("0.1325")
    assert intensity(D("662.433"), D("0"), "10k_yuan") is None
    assert intensity(D("662.433"), None, "10k_yuan") is None
    with pytest.raises(UnitError):
        intensity(D("1"), D("1"), "t")


activity = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
years = st.integers(min_value=2019, max_value=2030)


@given(amount=activity, k=st.integers(min_value=1, max_value=1000), year=years,
       energy_type=st.sampled_from(["electricity", "natural_gas", "diesel", "coal"]))
def test_emissions_scale_linearly_with_activity(amount, k, year, energy_type):
    unit = {"electricity": "kWh", "natural_gas": "Nm3"}.get(energy_type, "t")
    one = only_line(compute({energy_type: (amount, unit)}, year, DEFAULT_FACTORS))
    many = only_line(compute({energy_type: (amount * k, unit)}, year, DEFAULT_FACTORS))
    if one.missing_factor:
        assert many.missing_factor
        return
    # each figure is rounded to 0.001 t, so they may differ by half a kilogram per rounding
    assert abs(many.tco2 - k * one.tco2) <= D("0.0005") * (k + 1)


@given(energy=st.dictionaries(
    st.sampled_from(sorted(ENERGY_TYPES)), activity, max_size=len(ENERGY_TYPES)), year=years)
def test_total_is_scope1_plus_scope2(energy, year):
    unit = {"electricity": "MWh", "natural_gas": "10k_Nm3", "purchased_heat": "GJ"}
    result = compute({t: (v, unit.get(t, "t")) for t, v in energy.items()}, year, DEFAULT_FACTORS)
    assert result.total == result.scope1 + result.scope2
    assert result.scope1 == sum((line.tco2 for line in result.lines if line.scope == 1 and line.tco2 is not None), 0)
    assert result.unconfirmed == any(line.confirmed is False for line in result.lines)
