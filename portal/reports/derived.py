"""Figures derived from a report: scope 1 and 2 emissions and their intensity, each line showing its input,
factor, source and formula (portal.reports.ghg), with factors from the admin-maintained table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.reports import ghg
from portal.reports.models import EmissionFactorRecord
from portal.reports.schema import section
from portal.reports.values import parse, section_data, value_of


@dataclass(frozen=True)
class Derived:
    result: ghg.GhgResult
    intensity: Decimal | None  # tCO2 per 10,000 yuan of output
    error: str | None = None


def factors() -> list[ghg.Factor]:
    return [ghg.Factor(year=r.year, energy_type=r.energy_type, scope=r.scope, value=Decimal(r.value), unit=r.unit,
                       source=r.source, confirmed=r.confirmed)
            for r in db.session.scalars(select(EmissionFactorRecord).order_by(EmissionFactorRecord.year))]


def greenhouse_gas(data: dict, year: int, available: list[ghg.Factor] | None = None) -> Derived | None:
    data = data or {}
    energy_section = section("energy")
    values = section_data(data, energy_section)
    energy: dict[str, tuple[Decimal, str]] = {}
    for energy_type in ghg.ENERGY_TYPES:
        parsed = parse(energy_section.item(energy_type), values.get(energy_type))
        if not parsed.error and isinstance(parsed.value, Decimal) and parsed.value > 0:
            energy[energy_type] = (parsed.value, parsed.unit)
    if not energy:
        return None
    renewable = parse(energy_section.item("electricity_renewable"), values.get("electricity_renewable"))
    renewable_pair = (renewable.value, renewable.unit) if isinstance(renewable.value, Decimal) else None
    try:
        result = ghg.compute(energy, year, available if available is not None else factors(),
                             renewable_electricity=renewable_pair if "electricity" in energy else None)
    except ghg.GhgError as err:
        return Derived(ghg.GhgResult(year=year, lines=(), scope1=Decimal(0), scope2=Decimal(0),
                                     total=Decimal(0), unconfirmed=False), None, str(err))
    output_10k = value_of(data, "production", "output_value", "10k_yuan")
    return Derived(result, ghg.intensity(result.total, output_10k, "10k_yuan") if output_10k else None)
