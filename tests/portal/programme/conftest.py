"""An authority's signed-in client, a funding programme, and suppliers with assessments, reports, verified plans
and funding applications for the programme dashboard's tests."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from portal.assessment.models import Assessment, Verification
from portal.chains.models import ChainLink
from portal.extensions import db
from portal.funding.models import FundingApplication, FundingProgramme
from portal.plans.models import PlanMeasure, UpgradePlan
from portal.reports.models import AnnualReport
from portal.sites.models import Site
from tests.conftest import login

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def authority(app, make):
    client = app.test_client()
    login(client, make.user(make.org("authority")))
    return client


@pytest.fixture
def programme(make):
    item = FundingProgramme(name="2026 污染治理设施", budget=Decimal("10000000"), opens_on=date(2026, 1, 1),
                            closes_on=date(2026, 12, 31), notice_days=5)
    db.session.add(item)
    db.session.commit()
    return item


def add_supplier(make, benchmark, programme, buyer, *, n, district="440305", grade="B", verified=None,
                 reduction=None, approved=None):
    """A supplier in `buyer`'s chain (tier 1) with a submitted assessment, an accepted report and, optionally, a
    verified plan (COD reduced by `reduction` t) and an approved funding application."""
    org = make.org("supplier", district=district, name_zh=f"供应商{n}")
    site = Site(organisation_id=org.id, name=f"厂{n}")
    assessment = Assessment(organisation_id=org.id, benchmark=benchmark, year=2025, status="submitted",
                            score=Decimal(75), grade=grade, submitted_at=NOW)
    if verified:
        assessment.verification = Verification(organisation_id=buyer.id, status="completed", grade=verified,
                                               score=Decimal(90))
    # An older assessment with another grade: only the latest counts.
    older = Assessment(organisation_id=org.id, benchmark=benchmark, year=2024, status="submitted",
                       score=Decimal(40), grade="D", submitted_at=NOW)
    report = AnnualReport(organisation_id=org.id, site=site, year=2025, status="accepted")
    db.session.add_all([site, assessment, older, report,
                        ChainLink(buyer_organisation_id=buyer.id, supplier_organisation_id=org.id, tier=1)])
    if reduction is not None:
        plan = verified_plan(org, site, {"COD": reduction})
        db.session.add(plan)
        if approved is not None:
            db.session.add(FundingApplication(organisation_id=org.id, programme=programme, plan=plan,
                                              project_type="upgrade", status="approved", approved_amount=approved))
    db.session.commit()
    return org


def verified_plan(org, site, reductions, *, targets=None, year=2025):
    """A verified plan of `site` (baseline 2024) whose measures target `targets` (default: every indicator of
    `reductions`), with the comparison the agency verified: each indicator of `reductions` reduced by its amount."""
    return UpgradePlan(
        organisation_id=org.id, site=site, title="改造", status="verified", baseline_year=2024,
        measures=[PlanMeasure(kind="treatment", description="措施",
                              reductions={key: "1" for key in (targets if targets is not None else reductions)})],
        verification={"year": year, "indicators": {
            key: {"baseline": "10", "after": str(10 - value), "change": str(-value)}
            for key, value in reductions.items()}})


