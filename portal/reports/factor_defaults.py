"""Emission factors the portal ships with, for report years 2021 onward (DOMAIN.md §5).

Only values with a named source are here. Gasoline, LPG and purchased heat have no confirmed source yet, so they
are left out on purpose and come out of `ghg.compute` as missing factors. Later years fall back to the latest
year below (`ghg.pick_factor`), with the line flagged.
"""

from __future__ import annotations

from decimal import Decimal

from portal.reports.ghg import Factor

_FUEL_SOURCE = "工业其他行业企业温室气体排放核算方法与报告指南（缺省值）/ GB/T 32150, 未核实"

DEFAULT_FACTORS: list[Factor] = [
    # Purchased grid electricity, national average [全国电力平均二氧化碳排放因子]; kgCO2/kWh = tCO2/MWh.
    Factor(year=2021, energy_type="electricity", scope=2, value=Decimal("0.5568"), unit="MWh",
           source="生态环境部、国家统计局 2021年电力二氧化碳排放因子（2024年第12号公告，2024-04-12发布），全国平均",
           confirmed=True),
    Factor(year=2022, energy_type="electricity", scope=2, value=Decimal("0.5366"), unit="MWh",
           source="生态环境部、国家统计局 2022年电力二氧化碳排放因子（2024-12-20发布），全国平均",
           confirmed=True),
    Factor(year=2023, energy_type="electricity", scope=2, value=Decimal("0.5306"), unit="MWh",
           source="生态环境部、国家统计局 2023年电力二氧化碳排放因子（约2026年1月发布），全国平均",
           confirmed=True),
    # Fuels: default-value method, CO2 = NCV × carbon content × oxidation rate × 44/12. Well-known, not checked
    # against the guideline text, hence confirmed=False. Dated 2021 so they apply to every report year from 2021.
    # Natural gas: 389.31 GJ/10⁴Nm³ × 15.3 tC/TJ × 99% × 44/12 = 21.6219 → 21.62 tCO2/10⁴Nm³ (≈2.16 kg/Nm³).
    Factor(year=2021, energy_type="natural_gas", scope=1, value=Decimal("21.62"), unit="10k_Nm3",
           source=_FUEL_SOURCE, confirmed=False),
    # Diesel: 42.652 GJ/t × 20.2 tC/TJ × 98% × 44/12 = 3.0959 → 3.10 tCO2/t.
    Factor(year=2021, energy_type="diesel", scope=1, value=Decimal("3.10"), unit="t",
           source=_FUEL_SOURCE, confirmed=False),
    # Bituminous coal [烟煤]: 19.570 GJ/t × 26.1 tC/TJ × 93% × 44/12 = 1.7417 → 1.74 tCO2/t. Applied to all
    # reported coal; anthracite or lignite would have other defaults (not in DOMAIN.md).
    Factor(year=2021, energy_type="coal", scope=1, value=Decimal("1.74"), unit="t",
           source=_FUEL_SOURCE, confirmed=False),
]

# Inputs of the fuel defaults above (NCV in GJ per activity unit, carbon content tC/TJ, oxidation rate), so a
# test can re-derive the rounded products.
FUEL_FACTOR_INPUTS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "natural_gas": (Decimal("389.31"), Decimal("15.3"), Decimal("0.99")),
    "diesel": (Decimal("42.652"), Decimal("20.2"), Decimal("0.98")),
    "coal": (Decimal("19.570"), Decimal("26.1"), Decimal("0.93")),
}
