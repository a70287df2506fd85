"""Units of reported quantities: every quantity is stored as (Decimal value, unit code) and converted here only.

Unit codes are ASCII and stable: they are stored in the database and written to Excel templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext


class UnitError(ValueError):
    """An unknown unit code, or a conversion between units of different dimensions."""


@dataclass(frozen=True)
class Unit:
    code: str
    dimension: str
    to_base: Decimal  # how many base units of the dimension one of this unit is
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Conversion:
    """A converted quantity; `approximate` when a unit was only taken as equal to another (see `note`)."""

    value: Decimal
    unit: str
    approximate: bool = False
    note: str | None = None


def _unit(code: str, dimension: str, to_base: str, label_zh: str, label_en: str) -> Unit:
    return Unit(code, dimension, Decimal(to_base), label_zh, label_en)


# Electricity is kept apart from heat on purpose: a kWh figure converted into GJ on a form is far more often
# a unit mistake than an intended conversion. Persons and days are separate dimensions, never convertible.
UNITS: dict[str, Unit] = {u.code: u for u in (
    _unit("kWh", "electricity", "1", "千瓦时", "kWh"),
    _unit("MWh", "electricity", "1000", "兆瓦时", "MWh"),
    _unit("10k_kWh", "electricity", "10000", "万千瓦时", "10,000 kWh"),
    _unit("kg", "mass", "1", "千克", "kg"),
    _unit("t", "mass", "1000", "吨", "t"),
    _unit("Nm3", "gas_volume", "1", "标准立方米", "Nm³"),
    _unit("10k_Nm3", "gas_volume", "10000", "万标准立方米", "10,000 Nm³"),
    _unit("m3_gas", "gas_volume", "1", "立方米（燃气表计量）", "m³ (gas meter)"),
    _unit("MJ", "heat", "1", "兆焦", "MJ"),
    _unit("GJ", "heat", "1000", "吉焦", "GJ"),
    _unit("m3", "water_volume", "1", "立方米", "m³"),
    _unit("t_water", "water_volume", "1", "吨（水）", "t (water)"),  # reporting convention: 1 t of water = 1 m³
    _unit("ug_L", "concentration", "0.001", "微克/升", "µg/L"),
    _unit("mg_L", "concentration", "1", "毫克/升", "mg/L"),
    _unit("g_m3", "concentration", "1", "克/立方米", "g/m³"),  # 1 g/m³ = 1 mg/L exactly
    _unit("yuan", "money", "1", "元", "yuan"),
    _unit("10k_yuan", "money", "10000", "万元", "10,000 yuan"),
    _unit("dBA", "noise", "1", "分贝(A)", "dB(A)"),  # logarithmic: only ever "converted" to itself
    _unit("person", "headcount", "1", "人", "persons"),
    _unit("day", "duration", "1", "天", "days"),
)}

# Units taken as equal to another unit although they are not in general.
APPROXIMATE_UNITS: dict[str, str] = {
    "m3_gas": ("m³ read at the gas meter is taken as equal to Nm³ (standard m³). The true conversion depends on "
               "the gas temperature and pressure at the meter; not confirmed for this site."),
}


def unit(code: str) -> Unit:
    try:
        return UNITS[code]
    except KeyError:
        raise UnitError(f"unknown unit {code!r}") from None


def units_for(dimension: str) -> list[Unit]:
    return [u for u in UNITS.values() if u.dimension == dimension]


def label(code: str, locale: str) -> str:
    """The unit's name in `locale` ("zh", "zh_Hans", ... give Chinese; anything else English)."""
    u = unit(code)
    return u.label_zh if locale.lower().startswith("zh") else u.label_en


def conversion(value: Decimal, from_code: str, to_code: str) -> Conversion:
    """Converts `value` exactly; the result says whether an approximate unit took part."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"quantities are Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise UnitError(f"not a finite quantity: {value}")
    source, target = unit(from_code), unit(to_code)
    if source.dimension != target.dimension:
        raise UnitError(f"cannot convert {source.code} ({source.dimension}) to {target.code} ({target.dimension})")
    notes = [APPROXIMATE_UNITS[c] for c in dict.fromkeys((source.code, target.code)) if c in APPROXIMATE_UNITS]
    approximate = bool(notes) and source.code != target.code
    if source.code == target.code or source.to_base == target.to_base:
        converted = value
    else:
        # All factors are powers of ten, so the result is exact given enough digits; Inexact proves it.
        with localcontext() as ctx:
            ctx.prec = len(value.as_tuple().digits) + 40
            ctx.traps[Inexact] = True
            converted = value * source.to_base / target.to_base
    return Conversion(converted, target.code, approximate, " ".join(notes) if approximate else None)


def convert(value: Decimal, from_code: str, to_code: str) -> Decimal:
    return conversion(value, from_code, to_code).value
