"""Checks that help: errors block submission, warnings need a short explanation. Each message sits beside
its field and says how to fix it. Field checks come from the schema; cross-checks and the year-on-year
plausibility check are the rules below."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from portal.local_time import today
from portal.reports.hazardous_waste import check_code
from portal.reports.schema import SECTIONS, Field, Table, section
from portal.reports.values import amount, is_blank_row, parse, refs, section_data, table_rows, value_of

YOY_BOUND = Decimal("0.5")  # a change of more than ±50% on last year's accepted value needs a reason
LOAD_TOLERANCE = Decimal("0.2")  # load vs concentration × volume may differ by rounding and sampling
BALANCE_TOLERANCE = Decimal("0.01")  # t; hazardous waste in = out + change in storage


@dataclass(frozen=True)
class Issue:
    level: str  # "error" or "warning"
    path: str  # field path, or section key for section-wide problems
    message: object

    @property
    def section_key(self) -> str:
        return self.path.split(".", 1)[0]


def _field_issues(path: str, spec: Field, raw, holds_permit: bool) -> Iterable[Issue]:
    parsed = parse(spec, raw)
    if parsed.error:
        yield Issue("error", path, parsed.error)
        return
    required = spec.required == "always" or (spec.required == "permit" and holds_permit)
    if parsed.empty:
        if required:
            yield Issue("error", path, _l("Required. Enter 0 if there was none.")
                        if spec.kind in ("decimal", "integer") else _l("Required."))
        return
    if spec.units and parsed.unit not in spec.units:
        yield Issue("error", path, _l("Choose one of the units offered."))
    if isinstance(parsed.value, Decimal | int):
        if spec.minimum is not None and parsed.value < spec.minimum:
            yield Issue("error", path, _l("Must be at least %(min)s.", min=format_decimal(spec.minimum)))
        if spec.maximum is not None and parsed.value > spec.maximum:
            yield Issue("error", path, _l("Must be at most %(max)s.", max=format_decimal(spec.maximum)))
    if spec.past_only and isinstance(parsed.value, date) and parsed.value > today():
        yield Issue("error", path, _l("This date is after today: enter the date it happened."))
    if spec.kind == "hw_code":
        checked = check_code(parsed.value)
        about = {"code": parsed.value, "digits": parsed.value[-2:], "category": checked.category}
        # A category outside the table is an error only once the table is known to be complete
        # (hazardous_waste.CATEGORY_TABLE_COMPLETE); until then the reviewer checks it against the published list.
        if checked.message_key == "unknown_category" and checked.status == "invalid":
            yield Issue("error", path, _l("%(code)s ends in %(digits)s, but the National Hazardous Waste List has no "
                                          "category %(category)s. Check the last two digits.", **about))
        elif checked.message_key == "unknown_category":
            yield Issue("warning", path, _l("%(code)s ends in %(digits)s, but %(category)s is not among the "
                                            "hazardous-waste categories the portal knows. Check the last two digits "
                                            "against the published list, or explain.", **about))
        elif checked.status == "invalid":
            yield Issue("error", path, _l("%(code)s is not a valid code of the National Hazardous Waste List "
                                          "(the last two digits are its HW category).", code=parsed.value))
        elif checked.status == "unknown":
            yield Issue("warning", path, _l("%(code)s is not in the portal's copy of the 2025 list. Check it "
                                            "against the published list, or explain.", code=parsed.value))


def _required_tables(data: dict, holds_permit: bool) -> Iterable[Issue]:
    for sec in SECTIONS:
        for item in sec.items:
            if isinstance(item, Table) and item.required == "permit" and holds_permit:
                rows = [r for r in table_rows(data, sec, item) if not is_blank_row(r)]
                if not rows:
                    yield Issue("error", f"{sec.key}.{item.key}", _l(
                        "Sites holding a discharge permit report their actual emissions here, as in the "
                        "permit's annual execution report. Add at least one line."))


def _row_value(row: dict, table: Table, key: str, unit: str | None) -> Decimal | None:
    column = next(c for c in table.columns if c.key == key)
    return amount(parse(column, row.get(key)), unit)


def _number(value: Decimal) -> str:
    return format_decimal(value.quantize(Decimal("0.01")).normalize())


def cross_checks(data: dict) -> Iterable[Issue]:
    electricity = value_of(data, "energy", "electricity", "kWh")
    renewable = value_of(data, "energy", "electricity_renewable", "kWh")
    if electricity is not None and renewable is not None and renewable > electricity:
        yield Issue("error", "energy.electricity_renewable",
                    _l("The renewable part cannot be more than all electricity consumed."))

    generated = value_of(data, "solid_waste", "generated", "t")
    parts = [v for v in (value_of(data, "solid_waste", "utilised", "t"), value_of(data, "solid_waste", "disposed", "t"))
             if v]
    if generated is not None and parts and sum(parts) > generated * Decimal("1.01"):
        yield Issue("warning", "solid_waste.generated",
                    _l("Utilised plus disposed is more than generated. Was waste from last year included?"))

    wastewater = section("wastewater")
    volume = value_of(data, "wastewater", "volume", "m3")
    destination = section_data(data, wastewater).get("destination")
    if destination in ("none", {"v": "none"}) and volume:
        yield Issue("error", "wastewater.destination",
                    _l("Wastewater was discharged, so choose where it goes."))
    pollutants = wastewater.item("pollutants")
    for number, row in enumerate(table_rows(data, wastewater, pollutants)):
        concentration = _row_value(row, pollutants, "concentration", "mg_L")
        load = _row_value(row, pollutants, "load", "kg")
        if volume and concentration is not None and load is not None:
            expected = concentration * volume / 1000  # mg/L × m³ = g, and 1,000 g = 1 kg
            if expected and abs(load - expected) > expected * LOAD_TOLERANCE:
                yield Issue("warning", f"wastewater.pollutants.{number}.load", _l(
                    "The load does not match concentration × volume (about %(expected)s kg). Check the units, "
                    "or explain how the load was measured.", expected=_number(expected)))

    hazardous = section("hazardous_waste")
    lines = hazardous.item("lines")
    for number, row in enumerate(table_rows(data, hazardous, lines)):
        if is_blank_row(row):
            continue
        start = _row_value(row, lines, "stored_start", "t") or Decimal(0)
        made, moved, end = (_row_value(row, lines, key, "t") for key in ("generated", "transferred", "stored_end"))
        if None not in (made, moved, end):
            gap = start + made - moved - end
            if gap > BALANCE_TOLERANCE:
                yield Issue("warning", f"hazardous_waste.lines.{number}.stored_end", _l(
                    "Stored at the start + generated − transferred should equal stored at the end; %(gap)s t "
                    "is unaccounted for. Check the ledger, or explain.", gap=_number(gap)))
            elif gap < -BALANCE_TOLERANCE:
                yield Issue("warning", f"hazardous_waste.lines.{number}.stored_end", _l(
                    "Stored at the end is %(gap)s t more than stored at the start + generated − transferred. Check "
                    "the ledger, or explain.", gap=_number(-gap)))
        if moved and not parse(next(c for c in lines.columns if c.key == "handler_licence"),
                               row.get("handler_licence")).value:
            yield Issue("error", f"hazardous_waste.lines.{number}.handler_licence", _l(
                "Transferred hazardous waste needs the licensed handler's licence number."))


def _totals(data: dict) -> dict[str, Decimal]:
    """Year-on-year comparable figures in each field's default unit: simple fields, table columns summed."""
    totals: dict[str, Decimal] = {}
    for ref, raw in refs(data):
        spec = ref.spec
        if not spec.yoy:
            continue
        value = amount(parse(spec, raw), spec.default_unit)
        if value is None:
            continue
        key = ref.path if ref.column is None else f"{ref.section.key}.{ref.item.key}.{spec.key}"
        totals[key] = totals.get(key, Decimal(0)) + value
    return totals


def year_on_year(data: dict, previous: dict | None) -> Iterable[Issue]:
    if not previous:
        return
    before = _totals(previous)
    for key, value in _totals(data).items():
        old = before.get(key)
        if not old:
            continue
        change = (value - old) / old
        if abs(change) > YOY_BOUND:
            percent = format_decimal(abs(change * 100).quantize(Decimal(1)))
            message = (_l("%(percent)s%% higher than last year. Please explain why, or check the unit.",
                          percent=percent) if change > 0 else
                       _l("%(percent)s%% lower than last year. Please explain why, or check the unit.",
                          percent=percent))
            yield Issue("warning", key, message)


def validate(data: dict, *, holds_permit: bool, previous: dict | None = None) -> list[Issue]:
    issues: list[Issue] = []
    for ref, raw in refs(data):
        if ref.row is not None and is_blank_row(table_rows(data, ref.section, ref.item)[ref.row]):
            continue  # an empty line left at the end of a table is ignored, not an error
        issues.extend(_field_issues(ref.path, ref.spec, raw, holds_permit))
    issues.extend(_required_tables(data, holds_permit))
    issues.extend(cross_checks(data))
    issues.extend(year_on_year(data, previous))
    return issues


def unexplained(issues: list[Issue], explanations: dict) -> list[Issue]:
    return [i for i in issues if i.level == "warning" and not (explanations.get(i.path) or "").strip()]


def blocking(issues: list[Issue], explanations: dict) -> list[Issue]:
    """What stops a submission: every error, and every warning still without an explanation."""
    return [i for i in issues if i.level == "error"] + unexplained(issues, explanations)
