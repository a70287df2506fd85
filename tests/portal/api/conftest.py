"""A buyer with an API token and a chain of suppliers, some of which shared things with it."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.api import tokens
from portal.assessment.models import Assessment, AssessmentShare, Verification
from portal.chains.models import ChainConsent, ChainLink, ReportShare
from portal.demo_reports import _accepted_report, report_data
from portal.extensions import db
from portal.plans.models import UpgradePlan
from portal.records.models import CreditRating, PenaltyRecord
from portal.sites.models import Site

SUBMITTED = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Chain:
    buyer: object
    admin: object
    secret: str
    suppliers: list = field(default_factory=list)

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.secret}"}


def new_token(organisation, actor, name="ERP"):
    token, secret = tokens.create_token(organisation, name, actor=actor)
    db.session.commit()
    return token, secret


def link(buyer, supplier, tier=1, parent=None):
    db.session.add(ChainLink(buyer_organisation_id=buyer.id, supplier_organisation_id=supplier.id, tier=tier,
                             parent_supplier_id=parent.id if parent else None))
    db.session.commit()


def add_shared_supplier(make, benchmark, buyer, *, name="共享企业", share=True, progress=True):
    """A tier-1 supplier with two accepted reports (2024, 2025) and a verified 2025 assessment; with `share`, the
    2025 report and the assessment are shared with `buyer`; with `progress`, its plan status is shown."""
    org = make.org("supplier", name_zh=name)
    link(buyer, org)
    site = Site(organisation_id=org.id, name="一厂")
    reports = [_accepted_report(org, site, year, report_data(random.Random(year), 1)) for year in (2024, 2025)]
    assessment = Assessment(organisation_id=org.id, benchmark=benchmark, year=2025, status="submitted",
                            score=Decimal("72.50"), grade="B", submitted_at=SUBMITTED)
    assessment.verification = Verification(organisation_id=buyer.id, status="completed", score=Decimal("68.00"),
                                           grade="C", completed_at=SUBMITTED)
    plan = UpgradePlan(organisation_id=org.id, site=site, title="改造", status="in_progress")
    draft = UpgradePlan(organisation_id=org.id, site=site, title="草稿", status="draft")  # never shown to buyers
    db.session.add_all([site, *reports, assessment, plan, draft,
                        CreditRating(credit_code=org.credit_code, year=2024, level="blue", score=Decimal(80)),
                        CreditRating(credit_code=org.credit_code, year=2025, level="yellow", score=Decimal(65)),
                        PenaltyRecord(credit_code=org.credit_code, decided_on=SUBMITTED.date(),
                                      decision_number=f"深环罚〔2025〕{org.id}号", violation="v", penalty="p",
                                      status="open")])
    db.session.flush()
    if share:
        db.session.add_all([AssessmentShare(assessment_id=assessment.id, buyer_organisation_id=buyer.id),
                            ReportShare(report_id=reports[1].id, buyer_organisation_id=buyer.id)])
    db.session.add(ChainConsent(supplier_organisation_id=org.id, buyer_organisation_id=buyer.id, share_new=False,
                                share_progress=progress))
    db.session.commit()
    return org


@pytest.fixture
def chain(make, benchmark):
    buyer = make.org("buyer", name_zh="大买家")
    admin = make.user(buyer)
    _token, secret = new_token(buyer, admin)
    result = Chain(buyer, admin, secret)
    result.suppliers.append(add_shared_supplier(make, benchmark, buyer, name="共享企业"))
    result.suppliers.append(add_shared_supplier(make, benchmark, buyer, name="保密企业", share=False, progress=False))
    return result
