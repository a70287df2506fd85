"""Chain fixtures shared by the chain tests: rows made directly, as the services would leave them."""

from __future__ import annotations

from decimal import Decimal

from portal.assessment.models import Assessment
from portal.chains.models import ChainLink
from portal.extensions import db
from portal.reports.models import AnnualReport, ReportVersion
from portal.sites.models import Site


def link(buyer, supplier, tier=1, parent=None):
    row = ChainLink(buyer_organisation_id=buyer.id, supplier_organisation_id=supplier.id, tier=tier,
                    parent_supplier_id=parent.id if parent else None)
    db.session.add(row)
    db.session.commit()
    return row


def accepted_report(org, year=2025):
    site = Site(organisation_id=org.id, name=f"厂区{org.id}-{year}")
    report = AnnualReport(organisation_id=org.id, site=site, year=year, status="accepted")
    report.versions.append(ReportVersion(number=1, data={}, decision="accepted"))
    db.session.add_all([site, report])
    db.session.commit()
    return report


def submitted_assessment(org, benchmark, year=2026, grade="B", score="72.50"):
    assessment = Assessment(organisation_id=org.id, benchmark=benchmark, year=year, status="submitted",
                            grade=grade, score=Decimal(score))
    db.session.add(assessment)
    db.session.commit()
    return assessment
