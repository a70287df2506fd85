"""What the API tells a buyer about the suppliers of its chain, under the suppliers' consent: grades and
verified scores of assessments shared with it, accepted reports shared with it, and the status of the latest
plan and funding application (never a draft) only where the supplier shows its progress to this buyer. Credit
ratings and penalty records are the authorities' published records. A page of suppliers takes a fixed number
of queries, whatever its length."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import and_, func, select

from portal.assessment.models import Assessment, Benchmark, Verification
from portal.chains import figures
from portal.chains.consent import shared_assessments
from portal.chains.links import suppliers_of
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.plans.catalogue import INDICATORS
from portal.records.models import CreditRating

CODE_SHAPE = re.compile(r"[!-~]{18}")  # printable ASCII but the space; never a NUL or another control character


def number(value) -> float | None:
    return None if value is None else float(Decimal(value))


def count_suppliers(buyer_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(suppliers_of(buyer_id).order_by(None).subquery()))


def page_of_suppliers(buyer_id: int, page: int, per_page: int) -> list[dict]:
    rows = db.session.execute(suppliers_of(buyer_id).limit(per_page).offset((page - 1) * per_page)).all()
    return describe(buyer_id, [(org, tier) for org, tier, _parent in rows])


def looks_like_credit_code(code: str) -> bool:
    """18 printable ASCII characters without spaces: a unified social credit code ([0-9A-Z]) or a legacy code
    accepted by a platform admin (Organisation.credit_code_legacy); anything else is never looked up."""
    return CODE_SHAPE.fullmatch(code) is not None


def one_supplier(buyer_id: int, credit_code: str) -> tuple[Organisation, int] | None:
    """The supplier of the buyer's chain with this credit code, and its tier; None when it is not in the chain."""
    if not looks_like_credit_code(credit_code):
        return None
    row = db.session.execute(suppliers_of(buyer_id).where(Organisation.credit_code == credit_code)).first()
    return None if row is None else (row[0], row[1])


def describe(buyer_id: int, suppliers: list[tuple[Organisation, int]]) -> list[dict]:
    """The API's answer per supplier (portal.chains.figures, as on the buyer's dashboard)."""
    ids = [org.id for org, _tier in suppliers]
    codes = [org.credit_code for org, _tier in suppliers]
    assessments = figures.latest_shared_assessments(buyer_id, ids)
    ratings, violations = figures.latest_ratings(codes), figures.open_violations(codes)
    progress = figures.progress(buyer_id, ids)
    return [{
        "credit_code": org.credit_code,
        "name": org.name_zh,
        "name_en": org.name_en,
        "tier": tier,
        "latest_assessment": _assessment(assessments.get(org.id)),
        "credit_rating": _rating(ratings.get(org.credit_code)),
        "open_violations": violations.get(org.credit_code, 0),
        "progress": _progress(progress.get(org.id)),
    } for org, tier in suppliers]


def _assessment(found: figures.SharedAssessment | None) -> dict | None:
    return None if found is None else {
        "year": found.year, "benchmark": found.benchmark, "self_score": number(found.self_score),
        "self_grade": found.self_grade, "verified_score": number(found.verified_score),
        "verified_grade": found.verified_grade}


def _rating(rating: CreditRating | None) -> dict | None:
    return None if rating is None else {"year": rating.year, "level": rating.level, "score": number(rating.score)}


def _progress(found: figures.Progress | None) -> dict | None:
    return None if found is None else {"plan_status": found.plan_status, "funding_status": found.funding_status}


def shared_reports_of(buyer_id: int, supplier: Organisation) -> list[dict]:
    """Accepted reports the supplier shared with the buyer (figures.shared_report_figures), as JSON."""
    units = {indicator.key: indicator.unit for indicator in INDICATORS}
    return [{
        "year": report.year, "site": report.site, "accepted_at": report.accepted_at.isoformat() if report.accepted_at
        else None,
        "figures": {key: {"value": number(value), "unit": units[key]} for key, value in report.figures.items()},
        "ghg": None if report.ghg is None else {
            "scope1_tco2": number(report.ghg.result.scope1), "scope2_tco2": number(report.ghg.result.scope2),
            "total_tco2": number(report.ghg.result.total), "intensity_tco2_per_10k_yuan": number(report.ghg.intensity),
            "factors_unconfirmed": report.ghg.result.unconfirmed},
    } for report in figures.shared_report_figures(buyer_id, supplier.id)]


def shared_assessments_of(buyer_id: int, supplier: Organisation) -> list[dict]:
    shared = shared_assessments(buyer_id).where(Assessment.organisation_id == supplier.id).subquery()
    rows = db.session.execute(
        select(shared.c.year, shared.c.score, shared.c.grade, shared.c.submitted_at, Benchmark.key,
               Benchmark.version, Benchmark.title_zh, Benchmark.title_en, Verification.score, Verification.grade,
               Verification.completed_at)
        .join(Benchmark, Benchmark.id == shared.c.benchmark_id)
        .outerjoin(Verification, and_(Verification.assessment_id == shared.c.id, Verification.status == "completed"))
        .order_by(shared.c.year.desc(), shared.c.id.desc())).all()
    return [{"year": year, "benchmark": {"key": key, "version": version, "title": title_zh, "title_en": title_en},
             "self_score": number(score), "self_grade": grade,
             "submitted_at": submitted.isoformat() if submitted else None,
             "verified_score": number(v_score), "verified_grade": v_grade,
             "verified_at": verified.isoformat() if verified else None}
            for (year, score, grade, submitted, key, version, title_zh, title_en, v_score, v_grade, verified)
            in rows]
