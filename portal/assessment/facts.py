"""Facts the benchmark may use, derived from a supplier's accepted annual data (each site's latest accepted
report) and from the credit ratings and penalty records imported for its credit code. A fact that the data
cannot establish is left out: a prefill or a knock-out never guesses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.records.services import record_facts
from portal.reports.models import AnnualReport, ReportVersion
from portal.reports.schema import section
from portal.reports.values import amount, cell, is_blank_row, parse, table_rows, value_of
from portal.sites.models import Site


def latest_accepted(organisation_id: int) -> list[dict]:
    rows = db.session.execute(
        select(AnnualReport.site_id, AnnualReport.year, ReportVersion.data)
        .join(ReportVersion, ReportVersion.report_id == AnnualReport.id)
        .where(AnnualReport.organisation_id == organisation_id, ReportVersion.decision == "accepted")
        .order_by(AnnualReport.year, ReportVersion.number)).all()
    latest: dict[int, dict] = {}
    for site_id, _year, data in rows:
        latest[site_id] = data  # ordered by year then version: the last one wins
    return list(latest.values())


def _certificates(data: dict) -> list[tuple[str | None, date | None]]:
    sec = section("certifications")
    table = sec.item("certificates")
    kind, expiry = (next(c for c in table.columns if c.key == key) for key in ("type", "expiry"))
    return [(parse(kind, row.get("type")).value, parse(expiry, row.get("expiry")).value)
            for row in table_rows(data, sec, table) if not is_blank_row(row)]


def facts_for(organisation_id: int, today: date | None = None) -> dict[str, object]:
    """The imported credit and penalty records' facts, and those of the accepted annual data where there is any."""
    facts = record_facts(organisation_id)
    reports = latest_accepted(organisation_id)
    if reports:
        facts.update(_report_facts(organisation_id, reports, today or date.today()))
    return facts


def _report_facts(organisation_id: int, reports: list[dict], today: date) -> dict[str, object]:
    certificates = [c for data in reports for c in _certificates(data)]
    facts: dict[str, object] = {
        "certification.iso14001_valid": any(k == "iso14001" and (e is None or e >= today) for k, e in certificates),
        "certification.iso50001_valid": any(k == "iso50001" and (e is None or e >= today) for k, e in certificates),
        "certification.cleaner_production_done": any(k == "cleaner_production" for k, _e in certificates),
    }
    hazardous = section("hazardous_waste")
    lines = hazardous.item("lines")
    columns = {c.key: c for c in lines.columns}
    transferred = [row for data in reports for row in table_rows(data, hazardous, lines)
                   if amount(parse(columns["transferred"], row.get("transferred")), "t")]
    if transferred:
        facts["hazardous_waste.all_transferred_licensed"] = all(
            parse(columns["handler_licence"], row.get("handler_licence")).value for row in transferred)
    total = sum((value_of(d, "energy", "electricity", "kWh") or Decimal(0)) for d in reports)
    renewable = sum((value_of(d, "energy", "electricity_renewable", "kWh") or Decimal(0)) for d in reports)
    if total:
        facts["energy.renewable_share_percent"] = (renewable * 100 / total).quantize(Decimal("0.1"))
    violations = section("violations")
    penalties = [row for d in reports for row in table_rows(d, violations, violations.item("penalties"))
                 if not is_blank_row(row)]
    # No record: yes. A record not rectified: no. Records all rectified are "partly" only with evidence of the
    # rectification, which the data cannot show: then the fact is left out and the supplier answers.
    if not penalties or any(cell(row.get("rectification"))[0] != "done" for row in penalties):
        facts["violations.none_in_year"] = not penalties
    sites = db.session.scalars(select(Site).where(Site.organisation_id == organisation_id)).all()
    if sites:
        facts["site.permit_category_known"] = all(
            s.permit_category == "registration" or s.permit_number for s in sites)
    return facts
