"""The buyer's view of its chain: one row per supplier with what the supplier shares (grade, verified score,
data completeness), the authorities' published records (credit rating, open violations) and, where the
supplier agreed, the status of its upgrade plan and funding application. A fixed number of queries, whatever
the number of suppliers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.chains import consent, figures
from portal.chains.links import suppliers_of
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.records.models import CreditRating
from portal.reports.models import AnnualReport

EXPECTED_YEARS = 3  # the last three calendar years before this one: a report for year Y is filed in Y+1
SORTS = ("name", "tier", "grade", "score", "completeness", "violations", "rating")
RATING_ORDER = {"green": 0, "blue": 1, "yellow": 2, "red": 3}


@dataclass
class SupplierRow:
    org: Organisation
    tier: int
    parent_id: int | None
    assessment: figures.SharedAssessment | None = None
    report_years: set[int] = field(default_factory=set)
    rating: CreditRating | None = None
    open_violations: int = 0
    progress: figures.Progress | None = None  # None: the supplier does not show this buyer its progress
    parent_name: str | None = None
    name: str = ""  # as the reader sees it (Organisation.display_name): the dashboard sorts by it

    @property
    def grade(self) -> str | None:
        return self.assessment.grade if self.assessment else None

    @property
    def self_grade(self) -> str | None:
        return self.assessment.self_grade if self.assessment else None

    @property
    def self_score(self) -> Decimal | None:
        return self.assessment.self_score if self.assessment else None

    @property
    def verified_grade(self) -> str | None:
        return self.assessment.verified_grade if self.assessment else None

    @property
    def verified_score(self) -> Decimal | None:
        return self.assessment.verified_score if self.assessment else None

    @property
    def assessment_year(self) -> int | None:
        return self.assessment.year if self.assessment else None

    @property
    def shows_progress(self) -> bool:
        return self.progress is not None

    @property
    def plan_status(self) -> str | None:
        return self.progress.plan_status if self.progress else None

    @property
    def funding_status(self) -> str | None:
        return self.progress.funding_status if self.progress else None

    def expected_years(self, today: date) -> list[int]:
        return [today.year - n for n in range(1, EXPECTED_YEARS + 1)]

    def completeness(self, today: date) -> int:
        return len(self.report_years & set(self.expected_years(today)))

    @property
    def latest_report_year(self) -> int | None:
        return max(self.report_years, default=None)


def rows_for(buyer_id: int, locale: str = "zh") -> list[SupplierRow]:
    rows = [SupplierRow(org, tier, parent) for org, tier, parent in db.session.execute(suppliers_of(buyer_id))]
    if not rows:
        return rows
    by_id = {row.org.id: row for row in rows}
    for row in rows:
        row.name = row.org.display_name(locale)
        row.parent_name = by_id[row.parent_id].org.display_name(locale) if row.parent_id in by_id else None
    ids, codes = list(by_id), [row.org.credit_code for row in rows]
    assessments = figures.latest_shared_assessments(buyer_id, ids)
    ratings, violations = figures.latest_ratings(codes), figures.open_violations(codes)
    progress = figures.progress(buyer_id, ids)
    reports = consent.shared_reports(buyer_id).where(AnnualReport.organisation_id.in_(ids)).subquery()
    for org_id, year in db.session.execute(select(reports.c.organisation_id, reports.c.year).distinct()):
        by_id[org_id].report_years.add(year)
    for row in rows:
        row.assessment = assessments.get(row.org.id)
        row.rating = ratings.get(row.org.credit_code)
        row.open_violations = violations.get(row.org.credit_code, 0)
        row.progress = progress.get(row.org.id)
    return rows


def _by_name(row: SupplierRow) -> str:
    """The name the reader sees, so English readers get English order ("acme" beside "Acme"); Chinese names are
    compared as before (casefold leaves them alone)."""
    return row.name.casefold()


def filtered(rows: list[SupplierRow], *, tier: str = "", grade: str = "", rating: str = "", district: str = "",
             sort: str = "name", today: date) -> list[SupplierRow]:
    if tier in ("1", "2"):
        rows = [r for r in rows if r.tier == int(tier)]
    if grade:
        rows = [r for r in rows if (r.grade or "") == grade or (grade == "none" and r.grade is None)]
    if rating:
        rows = [r for r in rows if (r.rating.level if r.rating else "none") == rating]
    if district:
        rows = [r for r in rows if r.org.district == district]
    keys = {
        "name": lambda r: (_by_name(r),),
        "tier": lambda r: (r.tier, _by_name(r)),
        "grade": lambda r: (r.grade is None, r.grade or "", _by_name(r)),
        "score": lambda r: (r.verified_score is None, -(r.verified_score or 0), _by_name(r)),
        "completeness": lambda r: (-r.completeness(today), _by_name(r)),
        "violations": lambda r: (-r.open_violations, _by_name(r)),
        "rating": lambda r: (RATING_ORDER.get(r.rating.level, 9) if r.rating else 9, _by_name(r)),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))
