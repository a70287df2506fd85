"""Indicators over the years, from each report's latest accepted version, for the supplier's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.charts import Series
from portal.extensions import db
from portal.reports import derived
from portal.reports.models import AnnualReport, ReportVersion
from portal.reports.values import value_of
from portal.sites.models import Site

WATER_FIELDS = ("intake_municipal", "intake_ground", "intake_surface", "intake_other")


@dataclass(frozen=True)
class Indicator:
    key: str
    title: object
    unit: str


INDICATORS = (
    Indicator("electricity", _l("Electricity consumed"), "MWh"),
    Indicator("water", _l("Water intake"), "m³"),
    Indicator("ghg", _l("Scope 1 and 2 emissions"), "tCO₂"),
    Indicator("intensity", _l("Emission intensity"), _l("tCO₂ per 10,000 yuan")),
)


def latest_accepted(*conditions) -> list[tuple[int, str, int, dict, datetime | None]]:
    """(report id, site name, year, data, accepted at) of the latest accepted version of every report that meets
    `conditions` (clauses on AnnualReport), newest year first, in one query."""
    rows = db.session.execute(
        select(AnnualReport.id, Site.name, AnnualReport.year, ReportVersion.data, AnnualReport.accepted_at)
        .join(Site, Site.id == AnnualReport.site_id)
        .join(ReportVersion, ReportVersion.report_id == AnnualReport.id)
        .where(ReportVersion.decision == "accepted", *conditions)
        .order_by(AnnualReport.year.desc(), Site.name, AnnualReport.id, ReportVersion.number)).all()
    latest: dict[int, tuple] = {}
    for row in rows:
        latest[row[0]] = tuple(row)  # ordered by version number: the last accepted version wins
    return list(latest.values())


def indicator_values(data: dict, year: int, factors) -> dict[str, Decimal | None]:
    water = [v for v in (value_of(data, "water", key, "m3") for key in WATER_FIELDS) if v is not None]
    ghg = derived.greenhouse_gas(data, year, factors)
    return {
        "electricity": value_of(data, "energy", "electricity", "MWh"),
        "water": sum(water) if water else None,
        "ghg": ghg.result.total if ghg and not ghg.error else None,
        "intensity": ghg.intensity if ghg and not ghg.error else None,
    }


def trend_series(organisation_id: int) -> dict[str, list[Series]]:
    factors = derived.factors()
    by_site: dict[str, dict[str, list[tuple[int, Decimal | None]]]] = {}
    for _report_id, name, year, data, _accepted_at in latest_accepted(AnnualReport.organisation_id == organisation_id):
        for key, value in indicator_values(data, year, factors).items():
            by_site.setdefault(key, {}).setdefault(name, []).append((year, value))
    return {indicator.key: [Series(label=name, points=sorted(points))
                            for name, points in sorted(by_site.get(indicator.key, {}).items())]
            for indicator in INDICATORS}
