"""What a buyer is shown about the suppliers of its chain, in batches: the latest assessment each supplier shared
with it (self-assessed and verified grade and score), the authorities' published records (latest credit rating,
open violations) and, where the supplier shows its progress to this buyer, the status of its latest upgrade plan
and funding application. Drafts are the supplier's own business and never count. The buyer's dashboard
(portal.chains.dashboard) and the buyers' API (portal.api.suppliers) both use these; each helper takes one
query (progress: three), whatever the number of suppliers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, select

from portal.assessment.models import Assessment, Benchmark, Verification
from portal.chains import consent
from portal.chains.models import ChainConsent
from portal.extensions import db
from portal.funding.models import FundingApplication
from portal.plans import baseline
from portal.plans.models import UpgradePlan
from portal.records.models import CreditRating, PenaltyRecord
from portal.reports import derived
from portal.reports.derived import Derived
from portal.reports.models import AnnualReport
from portal.reports.trends import latest_accepted


@dataclass(frozen=True)
class SharedAssessment:
    year: int
    benchmark: str
    self_score: Decimal | None
    self_grade: str | None
    verified_score: Decimal | None  # None unless the verification is completed
    verified_grade: str | None

    @property
    def grade(self) -> str | None:
        """The grade to go by: the verified one where there is one, the supplier's own otherwise."""
        return self.verified_grade or self.self_grade


@dataclass(frozen=True)
class Progress:
    plan_status: str | None
    funding_status: str | None


def latest_shared_assessments(buyer_id: int, ids: list[int]) -> dict[int, SharedAssessment]:
    """Per supplier id, its latest submitted assessment shared with the buyer (latest year, then submission)."""
    shared = consent.shared_assessments(buyer_id).where(Assessment.organisation_id.in_(ids)).subquery()
    ranked = select(shared.c.id, func.row_number().over(
        partition_by=shared.c.organisation_id,
        order_by=(shared.c.year.desc(), shared.c.submitted_at.desc(), shared.c.id.desc())).label("rank")).subquery()
    rows = db.session.execute(
        select(Assessment.organisation_id, Assessment.year, Benchmark.key, Assessment.score, Assessment.grade,
               Verification.score, Verification.grade)
        .join(ranked, and_(ranked.c.id == Assessment.id, ranked.c.rank == 1))
        .join(Benchmark, Benchmark.id == Assessment.benchmark_id)
        .outerjoin(Verification, and_(Verification.assessment_id == Assessment.id,
                                      Verification.status == "completed"))).all()
    return {org_id: SharedAssessment(*values) for org_id, *values in rows}


def latest_ratings(codes: list[str]) -> dict[str, CreditRating]:
    """Per credit code, its credit rating of the latest year."""
    latest = (select(CreditRating.credit_code, func.max(CreditRating.year).label("year"))
              .where(CreditRating.credit_code.in_(codes)).group_by(CreditRating.credit_code).subquery())
    return {rating.credit_code: rating for rating in db.session.scalars(select(CreditRating).join(latest, and_(
        latest.c.credit_code == CreditRating.credit_code, latest.c.year == CreditRating.year)))}


def open_violations(codes: list[str]) -> dict[str, int]:
    """Per credit code, its penalty records not rectified (codes without any are left out)."""
    return dict(db.session.execute(
        select(PenaltyRecord.credit_code, func.count())
        .where(PenaltyRecord.credit_code.in_(codes), PenaltyRecord.open_clause())
        .group_by(PenaltyRecord.credit_code)).all())


def _latest_status(model, ids: set[int]) -> dict[int, str]:
    ranked = (select(model.organisation_id, model.status, func.row_number().over(
        partition_by=model.organisation_id, order_by=(model.created_at.desc(), model.id.desc())).label("rank"))
        .where(model.organisation_id.in_(ids), model.status != "draft").subquery())
    return dict(db.session.execute(select(ranked.c.organisation_id, ranked.c.status).where(ranked.c.rank == 1)).all())


def progress(buyer_id: int, ids: list[int]) -> dict[int, Progress]:
    """Per supplier that shows this buyer its progress (the others are left out): the status of its latest
    upgrade plan and funding application that is not a draft (None where there is none)."""
    showing = set(db.session.scalars(consent.progress_shared_by(buyer_id).where(
        ChainConsent.supplier_organisation_id.in_(ids))))
    plans, applications = _latest_status(UpgradePlan, showing), _latest_status(FundingApplication, showing)
    return {org_id: Progress(plans.get(org_id), applications.get(org_id)) for org_id in showing}


@dataclass(frozen=True)
class SharedReport:
    """An accepted report a supplier shared with the buyer, from its latest accepted version: the key figures in
    the upgrade plans' indicators and units, and the derived scope 1 and 2 emissions (None when they cannot be
    computed)."""

    year: int
    site: str
    accepted_at: datetime | None
    figures: dict[str, Decimal | None]
    ghg: Derived | None


def shared_report_figures(buyer_id: int, supplier_id: int) -> list[SharedReport]:
    """Newest year first; two queries (the reports' latest accepted versions, the emission factors)."""
    shared = consent.shared_reports(buyer_id).whereclause
    reports = latest_accepted(shared, AnnualReport.organisation_id == supplier_id)
    factors = derived.factors()
    found = []
    for _report_id, site, year, data, accepted_at in reports:
        ghg = derived.greenhouse_gas(data or {}, year, factors)
        found.append(SharedReport(year, site, accepted_at, baseline.indicator_values(data or {}, year, factors),
                                  None if ghg is None or ghg.error else ghg))
    return found
