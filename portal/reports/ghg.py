"""Scope 1 and scope 2 CO2 from a site's annual energy use, with every line showing how it was computed.

Activity × emission factor (GHG Protocol scopes; factors versioned by year because they are revised yearly).
A type with no factor for the report year or an earlier one is reported as missing, never estimated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.reports import units

RESULT_UNIT = "tCO2"
TCO2_QUANTUM = Decimal("0.001")
INTENSITY_QUANTUM = Decimal("0.0001")
INTENSITY_OUTPUT_UNIT = "10k_yuan"

# Energy type -> scope. Electricity is purchased grid electricity only (see `compute`).
ENERGY_TYPES: dict[str, int] = {
    "electricity": 2,
    "natural_gas": 1,
    "diesel": 1,
    "gasoline": 1,
    "coal": 1,
    "lpg": 1,
    "purchased_heat": 2,
}


class GhgError(ValueError):
    """Input that cannot be computed (unknown type, wrong unit, negative amount, ambiguous factors)."""

    def __init__(self, message: str, energy_type: str | None = None):
        super().__init__(message)
        self.energy_type = energy_type


@dataclass(frozen=True)
class Factor:
    year: int
    energy_type: str
    scope: int
    value: Decimal  # tCO2 per one `unit` of activity
    unit: str  # the activity unit the factor applies to, a units.py code
    source: str
    confirmed: bool
    result_unit: str = RESULT_UNIT

    def __post_init__(self):
        if self.energy_type not in ENERGY_TYPES:
            raise GhgError(f"unknown energy type {self.energy_type!r}", self.energy_type)
        if self.scope != ENERGY_TYPES[self.energy_type]:
            raise GhgError(f"{self.energy_type} is scope {ENERGY_TYPES[self.energy_type]}, not {self.scope}",
                           self.energy_type)
        if self.result_unit != RESULT_UNIT:
            raise GhgError(f"factors give {RESULT_UNIT}, not {self.result_unit}", self.energy_type)
        units.unit(self.unit)

    @property
    def unit_text(self) -> str:
        return f"{self.result_unit}/{self.unit}"


@dataclass(frozen=True)
class GhgLine:
    energy_type: str
    scope: int
    input_value: Decimal
    input_unit: str
    converted_value: Decimal | None = None  # activity in the factor's unit (after any renewable deduction)
    converted_unit: str | None = None
    deducted_value: Decimal | None = None  # renewable/self-generated electricity, as reported
    deducted_unit: str | None = None
    factor_value: Decimal | None = None
    factor_unit: str | None = None  # e.g. "tCO2/MWh"
    factor_year: int | None = None
    factor_from_earlier_year: bool = False  # the report year had no factor; the latest earlier one was used
    source: str | None = None
    confirmed: bool | None = None
    tco2: Decimal | None = None
    approximate: bool = False
    approximation_note: str | None = None
    missing_factor: bool = False

    @property
    def converted(self) -> bool:
        """Whether the amount reported was converted to the factor's unit or had renewable electricity deducted
        before the factor applied: the page then shows that step ("1,234,500 kWh = 1,234.5 MWh") first."""
        return self.converted_unit is not None and (bool(self.deducted_value) or self.input_unit != self.converted_unit)


@dataclass(frozen=True)
class GhgResult:
    year: int
    lines: tuple[GhgLine, ...]
    scope1: Decimal
    scope2: Decimal
    total: Decimal
    unconfirmed: bool  # some line used a factor not confirmed against its source

    @property
    def missing_factor_types(self) -> list[str]:
        return [line.energy_type for line in self.lines if line.missing_factor]

    @property
    def complete(self) -> bool:
        """False when some reported energy has no factor, so the totals leave it out."""
        return not self.missing_factor_types

    @property
    def approximate(self) -> bool:
        return any(line.approximate for line in self.lines)


def pick_factor(energy_type: str, year: int, factors: Iterable[Factor]) -> Factor | None:
    """The factor of `year`, else of the latest earlier year; never a later year's."""
    usable = [f for f in factors if f.energy_type == energy_type and f.year <= year]
    if not usable:
        return None
    latest = max(f.year for f in usable)
    chosen = [f for f in usable if f.year == latest]
    if len(chosen) > 1:
        raise GhgError(f"{len(chosen)} factors for {energy_type} in {latest}", energy_type)
    return chosen[0]


def _checked_amount(energy_type: str, amount: tuple[Decimal, str]) -> tuple[Decimal, str]:
    try:
        value, unit_code = amount
    except (TypeError, ValueError):
        raise GhgError(f"{energy_type}: expected (value, unit)", energy_type) from None
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise GhgError(f"{energy_type}: not a Decimal amount: {value!r}", energy_type)
    if value < 0:
        raise GhgError(f"{energy_type}: negative amount {value}", energy_type)
    return Decimal(value), unit_code


def _line(energy_type: str, value: Decimal, unit_code: str, year: int, factors: list[Factor],
          renewable: tuple[Decimal, str] | None) -> GhgLine:
    scope = ENERGY_TYPES[energy_type]
    factor = pick_factor(energy_type, year, factors)
    try:
        units.unit(unit_code)
        activity = units.conversion(value, unit_code, factor.unit if factor else unit_code)
        deducted = units.conversion(renewable[0], renewable[1], activity.unit) if renewable else None
    except units.UnitError as err:
        raise GhgError(f"{energy_type}: {err}", energy_type) from err
    deduction = {}
    if deducted is not None:
        if deducted.value > activity.value:
            raise GhgError(f"{energy_type}: renewable electricity exceeds electricity consumed", energy_type)
        deduction = {"deducted_value": renewable[0], "deducted_unit": renewable[1]}
    base = {"energy_type": energy_type, "scope": scope, "input_value": value, "input_unit": unit_code, **deduction}
    if factor is None:
        return GhgLine(**base, missing_factor=True)

    converted = activity.value - deducted.value if deducted is not None else activity.value
    tco2 = (converted * factor.value).quantize(TCO2_QUANTUM, rounding=ROUND_HALF_UP)
    approximate = activity.approximate or bool(deducted and deducted.approximate)
    return GhgLine(
        **base, converted_value=converted, converted_unit=factor.unit, factor_value=factor.value,
        factor_unit=factor.unit_text, factor_year=factor.year, factor_from_earlier_year=factor.year != year,
        source=factor.source, confirmed=factor.confirmed, tco2=tco2, approximate=approximate,
        approximation_note=activity.note or (deducted.note if deducted else None))


def compute(energy: dict[str, tuple[Decimal, str]], year: int, factors: Iterable[Factor], *,
            renewable_electricity: tuple[Decimal, str] | None = None) -> GhgResult:
    """Emissions of one report year. `energy` maps energy type -> (value, unit code).

    `electricity` is multiplied by the grid factor, so it must be purchased grid electricity. When a form
    asks for electricity consumed and, "of which", renewable or self-generated electricity, pass the latter
    as `renewable_electricity`: it is deducted before the grid factor is applied and shown on the line.
    """
    unknown = sorted(set(energy) - set(ENERGY_TYPES))
    if unknown:
        raise GhgError(f"unknown energy types: {', '.join(unknown)}", unknown[0])
    if renewable_electricity is not None:
        if "electricity" not in energy:
            raise GhgError("renewable electricity given without electricity consumed", "electricity")
        renewable_electricity = _checked_amount("electricity", renewable_electricity)
    factors = list(factors)
    lines = tuple(
        _line(energy_type, *_checked_amount(energy_type, energy[energy_type]), year, factors,
              renewable_electricity if energy_type == "electricity" else None)
        for energy_type in ENERGY_TYPES if energy_type in energy)
    scope1 = sum((line.tco2 for line in lines if line.scope == 1 and line.tco2 is not None), Decimal("0.000"))
    scope2 = sum((line.tco2 for line in lines if line.scope == 2 and line.tco2 is not None), Decimal("0.000"))
    return GhgResult(year=year, lines=lines, scope1=scope1, scope2=scope2, total=scope1 + scope2,
                     unconfirmed=any(line.confirmed is False for line in lines))


def intensity(total_tco2: Decimal, output_value: Decimal | None, output_unit: str) -> Decimal | None:
    """tCO2 per 10,000 yuan of output, to 0.0001; None when the output is missing or zero."""
    if output_value is None:
        return None
    output = units.convert(output_value, output_unit, INTENSITY_OUTPUT_UNIT)
    if output == 0:
        return None
    if output < 0:
        raise GhgError(f"negative output value {output_value}")
    return (total_tco2 / output).quantize(INTENSITY_QUANTUM, rounding=ROUND_HALF_UP)
