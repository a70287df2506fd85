"""The programme's figures for the environmental authority: who takes part, how they score, what verified
upgrades reduced, what funding was approved and paid, and how many annual reports were accepted.

Every table is built by a fixed number of SQL queries, whatever the number of organisations (counts and sums in
SQL); only the verified reductions, kept as JSON on each plan, are added up here from one query's rows."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from portal.assessment.models import Assessment, Benchmark, Verification
from portal.extensions import db
from portal.funding.closing_models import Disbursement
from portal.funding.models import COMMITTED_STATUSES, FundingApplication, FundingProgramme
from portal.locale_format import unit_label
from portal.numbers import to_decimal
from portal.orgs.districts import district_name
from portal.orgs.models import Organisation, OrgKind
from portal.plans.catalogue import INDICATORS
from portal.plans.models import UpgradePlan
from portal.plans.services import expected_totals
from portal.programme import participation
from portal.programme.tables import Table
from portal.reports.models import AnnualReport

# Column names the charts pick their values by (portal.programme.routes.CHARTED).
SUPPLIERS, APPROVED, DISBURSED = participation.SUPPLIERS, _l("Approved"), _l("Disbursed")
REPORTS_ACCEPTED = _l("Reports accepted")


def participation_by_district() -> Table:
    rows = db.session.execute(
        select(Organisation.district, func.count()).where(Organisation.kind == OrgKind.SUPPLIER)
        .group_by(Organisation.district).order_by(Organisation.district)).all()
    return Table("districts", _l("Suppliers by district"), [_l("District"), SUPPLIERS],
                 [[district_name(code) if code else str(_l("not given")), count] for code, count in rows])


def grade_distribution() -> Table:
    """The grade of each supplier's latest submitted assessment on the programme's questionnaire (a buyer's own
    questionnaire grades on its own scale, so it is left out): the verified grade where a verification is
    completed, the self-assessed one otherwise (the columns say which)."""
    latest = (select(Assessment.organisation_id, Assessment.grade.label("self_grade"),
                     Verification.grade.label("verified_grade"),
                     func.row_number().over(partition_by=Assessment.organisation_id,
                                            order_by=(Assessment.year.desc(), Assessment.submitted_at.desc(),
                                                      Assessment.id.desc())).label("rank"))
              .join(Benchmark, Benchmark.id == Assessment.benchmark_id)
              .outerjoin(Verification, and_(Verification.assessment_id == Assessment.id,
                                            Verification.status == "completed"))
              .where(Assessment.status == "submitted", Benchmark.owner_organisation_id.is_(None)).subquery())
    grade = func.coalesce(latest.c.verified_grade, latest.c.self_grade).label("grade")
    verified = func.sum(case((latest.c.verified_grade.is_not(None), 1), else_=0))
    rows = db.session.execute(select(grade, verified, func.count()).where(latest.c.rank == 1)
                              .group_by(grade).order_by(grade)).all()
    return Table("grades", _l("Grade distribution (latest assessment per supplier)"),
                 [_l("Grade"), _l("Verified grade"), _l("Self-assessed grade only"), SUPPLIERS],
                 [[g or str(_l("no grade")), int(v or 0), n - int(v or 0), n] for g, v, n in rows],
                 note=_l("Assessments on the programme's questionnaire only: a buyer's own questionnaire grades "
                         "on its own scale and is not counted here. A verified grade is counted where the "
                         "assessment's verification is completed; otherwise the supplier's own grade."))


def verified_reductions() -> Table:
    """Baseline minus the first accepted year after it, per indicator. Plans of one site compare the same
    figures: each comparison (site, baseline year, year compared) counts once, however many verified plans share
    it, and only on the indicators the plans' measures set out to reduce."""
    comparisons: dict[tuple, dict[str, Decimal]] = {}
    plans: dict[str, int] = {}
    for plan in db.session.scalars(select(UpgradePlan).where(UpgradePlan.status == "verified")
                                   .options(selectinload(UpgradePlan.measures))):
        verification = plan.verification or {}
        indicators = verification.get("indicators") or {}
        compared = comparisons.setdefault((plan.site_id, plan.baseline_year, verification.get("year")), {})
        for key in expected_totals(plan):
            change = to_decimal((indicators.get(key) or {}).get("change"))
            if change is not None:
                compared[key] = change
                plans[key] = plans.get(key, 0) + 1
    totals: dict[str, Decimal] = {}
    for compared in comparisons.values():
        for key, change in compared.items():
            totals[key] = totals.get(key, Decimal(0)) - change
    rows = [[indicator.label, unit_label(indicator.unit), totals[indicator.key], plans[indicator.key]]
            for indicator in INDICATORS if indicator.key in totals]
    return Table("reductions", _l("Reductions achieved by verified upgrade plans"),
                 [_l("Indicator"), _l("Unit"), _l("Reduction"), _l("Verified plans")], rows,
                 note=_l("Baseline minus the first accepted annual report after the baseline year, on the "
                         "indicators the plans' measures target; a site with several verified plans compared on "
                         "the same years counts once. A negative figure is an increase."))


def funding() -> Table:
    """Approved amounts per programme, and what was paid out of them (the recorded disbursements), both over the
    same applications: those approved and not withdrawn or rejected since."""
    paid = (select(Disbursement.application_id, func.sum(Disbursement.amount).label("amount"))
            .group_by(Disbursement.application_id).subquery())
    committed = FundingApplication.status.in_(COMMITTED_STATUSES)
    rows = db.session.execute(
        select(FundingProgramme.name, FundingProgramme.budget, func.count(FundingApplication.id).filter(committed),
               func.coalesce(func.sum(FundingApplication.approved_amount).filter(committed), 0),
               func.coalesce(func.sum(paid.c.amount).filter(committed), 0))
        .outerjoin(FundingApplication, FundingApplication.programme_id == FundingProgramme.id)
        .outerjoin(paid, paid.c.application_id == FundingApplication.id)
        .group_by(FundingProgramme.id, FundingProgramme.name, FundingProgramme.budget)
        .order_by(FundingProgramme.name)).all()
    return Table("funding", _l("Funding approved and disbursed (yuan)"),
                 [_l("Funding programme"), _l("Budget"), _l("Approved applications"), APPROVED, DISBURSED],
                 [[name, Decimal(budget), count, Decimal(approved), Decimal(disbursed)]
                  for name, budget, count, approved, disbursed in rows],
                 note=_l("Approved: applications approved and not withdrawn or rejected since. Disbursed: the "
                         "payments recorded in the portal for those applications."))


def accepted_reports() -> Table:
    rows = db.session.execute(
        select(AnnualReport.year, func.count(), func.count(func.distinct(AnnualReport.organisation_id)))
        .where(AnnualReport.status == "accepted").group_by(AnnualReport.year).order_by(AnnualReport.year)).all()
    return Table("reports", _l("Annual reports accepted per year"),
                 [_l("Year"), REPORTS_ACCEPTED, SUPPLIERS], [list(row) for row in rows])


TABLES = {"tiers": participation.by_tier, "buyers": participation.by_buyer, "districts": participation_by_district,
          "grades": grade_distribution, "reductions": verified_reductions, "funding": funding,
          "reports": accepted_reports}


def all_tables() -> list[Table]:
    return [build() for build in TABLES.values()]


def one_table(key: str) -> Table | None:
    """Only the table asked for (a CSV download computes nothing else)."""
    build = TABLES.get(key)
    return build() if build else None
