"""A plan's numbers from the annual data: the baseline (a site's latest accepted report), the CO2 an
electricity saving avoids, and the comparison that verifies a completed plan against later accepted data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.plans.catalogue import INDICATORS
from portal.reports import derived, ghg
from portal.reports.models import AnnualReport, ReportVersion
from portal.reports.schema import section
from portal.reports.values import amount, is_blank_row, parse, table_rows, value_of

CO2_QUANTUM = Decimal("0.001")


def indicator_values(data: dict, year: int, factors: list[ghg.Factor]) -> dict[str, Decimal]:
    """Each indicator the report states, in the indicator's unit; those it does not state are left out."""
    found: dict[str, Decimal] = {}
    for indicator in INDICATORS:
        kind, *where = indicator.source
        if kind == "field":
            value = value_of(data, where[0], where[1], indicator.unit)
        elif kind == "pollutant":
            section_key, table_key, code, column = where
            sec = section(section_key)
            table = sec.item(table_key)
            columns = {c.key: c for c in table.columns}
            amounts = [amount(parse(columns[column], row.get(column)), indicator.unit)
                       for row in table_rows(data, sec, table)
                       if not is_blank_row(row) and parse(columns["pollutant"], row.get("pollutant")).value == code]
            value = sum(a for a in amounts if a is not None) if any(a is not None for a in amounts) else None
        else:
            result = derived.greenhouse_gas(data, year, factors)
            value = result.result.total if result and not result.error else None
        if value is not None:
            found[indicator.key] = value
    return found


@dataclass(frozen=True)
class Accepted:
    report_id: int
    year: int
    values: dict[str, Decimal]


def accepted_for_site(site_id: int, *, after_year: int | None = None, latest: bool = True) -> Accepted | None:
    """The site's accepted report (its latest accepted version): the latest one, or the first after a year."""
    stmt = (select(AnnualReport.id, AnnualReport.year, ReportVersion.data)
            .join(ReportVersion, ReportVersion.report_id == AnnualReport.id)
            .where(AnnualReport.site_id == site_id, ReportVersion.decision == "accepted")
            .order_by(AnnualReport.year, ReportVersion.number))
    if after_year is not None:
        stmt = stmt.where(AnnualReport.year > after_year)
    rows = db.session.execute(stmt).all()
    if not rows:
        return None
    by_year: dict[int, tuple[int, dict]] = {}
    for report_id, year, data in rows:
        by_year[year] = (report_id, data)  # the last accepted version of each year wins
    year = max(by_year) if latest else min(by_year)
    report_id, data = by_year[year]
    return Accepted(report_id, year, indicator_values(data, year, derived.factors()))


@dataclass(frozen=True)
class AvoidedCo2:
    tonnes: Decimal
    factor: ghg.Factor


def co2_from_electricity(saved_mwh: Decimal, year: int) -> AvoidedCo2 | None:
    """The scope 2 CO2 an electricity saving avoids, with the grid factor of `year` (or the latest earlier one);
    None when no factor applies."""
    factor = ghg.pick_factor("electricity", year, derived.factors())
    if factor is None or factor.unit != "MWh":
        return None
    return AvoidedCo2((saved_mwh * factor.value).quantize(CO2_QUANTUM), factor)
