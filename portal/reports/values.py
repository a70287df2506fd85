"""Reading what users typed: raw cells in a report's data, parsed into typed values on demand.

A report's `data` keeps exactly what was entered ({"v": "1,234.5", "u": "kWh"} per field; a list of such
rows per table), so a draft never loses input that does not parse. Everything that needs numbers parses here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from portal.reports import units
from portal.reports.schema import SECTIONS, Field, FieldRef, Section, Table, section

# Beyond any figure a factory reports in any unit here (10¹⁵ kWh is thirty times the world's yearly
# electricity); it also keeps every derived figure within the 28 digits decimal arithmetic works with.
NUMBER_LIMIT = Decimal("1e15")


@dataclass(frozen=True)
class Parsed:
    value: object | None  # Decimal, int, str, date or None when empty
    unit: str | None
    error: object | None = None  # a message when the raw input cannot be read

    @property
    def empty(self) -> bool:
        return self.value is None and self.error is None


def cell(raw: object) -> tuple[str, str | None]:
    """(text, unit) of a stored cell; tolerates plain strings for cells without a unit."""
    if isinstance(raw, dict):
        return str(raw.get("v") or ""), raw.get("u") or None
    return ("" if raw is None else str(raw)), None


def _number_text(text: str) -> str:
    # Full-width digits and separators (１，２３４．５) are common in Chinese input methods.
    text = unicodedata.normalize("NFKC", text).strip()
    return text.replace(",", "").replace(" ", "")


def parse(spec: Field, raw: object) -> Parsed:
    text, unit = cell(raw)
    unit = unit or spec.default_unit
    text = text.strip()
    if not text:
        return Parsed(None, unit)
    if spec.kind in ("decimal", "integer"):
        try:
            number = Decimal(_number_text(text))
        except InvalidOperation:
            return Parsed(None, unit, _l("Enter a number, for example 1234.5 (no units or words)."))
        if not number.is_finite():
            return Parsed(None, unit, _l("Enter a number, for example 1234.5 (no units or words)."))
        if abs(number) >= NUMBER_LIMIT:
            return Parsed(None, unit, _l("This number is too large: no figure of a factory reaches a million "
                                         "billion (10¹⁵). Check the digits and the unit."))
        if spec.kind == "integer":
            if number != number.to_integral_value():
                return Parsed(None, unit, _l("Enter a whole number."))
            return Parsed(int(number), unit)
        return Parsed(number, unit)
    if spec.kind == "date":
        try:
            return Parsed(date.fromisoformat(unicodedata.normalize("NFKC", text)), unit)
        except ValueError:
            return Parsed(None, unit, _l("Enter the date as YYYY-MM-DD, for example 2026-03-31."))
    if spec.kind == "choice":
        allowed = {value for value, _label in spec.choices}
        if text not in allowed:
            return Parsed(None, unit, _l("Choose one of the listed options."))
        return Parsed(text, unit)
    if spec.kind == "hw_code":
        from portal.reports.hazardous_waste import normalise_code

        code = normalise_code(text)
        if code is None:
            return Parsed(None, unit, _l("A waste code has 8 digits, written like 900-041-49."))
        return Parsed(code, unit)
    if len(text) > spec.max_length:
        return Parsed(None, unit, _l("Please keep this under %(max)d characters.", max=spec.max_length))
    return Parsed(text, unit)


def section_data(data: dict, sec: Section) -> dict:
    value = data.get(sec.key)
    return value if isinstance(value, dict) else {}


def table_rows(data: dict, sec: Section, table: Table) -> list[dict]:
    rows = section_data(data, sec).get(table.key)
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def refs(data: dict, sections: tuple[Section, ...] = SECTIONS):
    """Every field reference with its raw cell, lines of tables included, in form order."""
    for sec in sections:
        values = section_data(data, sec)
        for item in sec.items:
            if isinstance(item, Table):
                for row_number, row in enumerate(table_rows(data, sec, item)):
                    for column in item.columns:
                        yield FieldRef(sec, item, column, row_number), row.get(column.key)
            else:
                yield FieldRef(sec, item), values.get(item.key)


def is_blank_row(row: dict) -> bool:
    return all(not cell(value)[0].strip() for value in row.values())


def amount(parsed: Parsed, unit: str | None) -> Decimal | None:
    """The parsed number in `unit` (None when empty, unreadable or in a unit of another dimension)."""
    if parsed.error or not isinstance(parsed.value, Decimal | int):
        return None
    if unit is None or parsed.unit is None or parsed.unit == unit:
        return Decimal(parsed.value)
    try:
        return units.convert(Decimal(parsed.value), parsed.unit, unit)
    except units.UnitError:
        return None


def value_of(data: dict, section_key: str, key: str, unit: str) -> Decimal | None:
    """A simple field's number in `unit`, e.g. value_of(data, "energy", "electricity", "MWh")."""
    sec = section(section_key)
    return amount(parse(sec.item(key), section_data(data, sec).get(key)), unit)
