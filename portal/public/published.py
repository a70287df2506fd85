"""What the public platform may show, in one place: every public page, the feed and the CSV read it from here,
so nothing unpublished can reach one of them by another road.

Published means: a registered supplier's name and code; the credit ratings and penalty records the authorities
published; a supplier's explanation of a penalty once a reviewer marked the penalty rectified (without the evidence
files); upgrade plans that were completed or verified (title, measures, reductions, no files); funding applications
from their public notice on (also when rejected after it); the objections' count and the resolutions the authority
wrote; accepted tips (the text the reviewer published)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from portal.chains.links import buyers_of
from portal.extensions import db
from portal.funding.models import FundingApplication
from portal.funding.objections import Objection
from portal.orgs.models import Organisation, OrgKind
from portal.plans.models import UpgradePlan
from portal.public.models import Tip
from portal.records.models import CreditRating, PenaltyRecord
from portal.records.services import records_of
from portal.templating import status_label

# From the public notice on, an application and its result stay published: also when it was rejected after its
# notice (an upheld objection); one rejected before any notice never was published.
PUBLISHED_STATUSES = ("public_notice", "agreement", "disbursed", "acceptance", "closed")
AFTER_NOTICE_STATUSES = ("rejected",)
PUBLIC_PLAN_STATUSES = ("completed", "verified")
APPLICATION_OPTIONS = (selectinload(FundingApplication.organisation), selectinload(FundingApplication.programme),
                       selectinload(FundingApplication.plan).selectinload(UpgradePlan.measures))


def suppliers(query: str | None) -> Select:
    stmt = select(Organisation).where(Organisation.kind == OrgKind.SUPPLIER).order_by(Organisation.name_zh,
                                                                                      Organisation.id)
    query = (query or "").strip()
    if query:
        stmt = stmt.where(or_(Organisation.name_zh.contains(query, autoescape=True),
                              Organisation.name_en.icontains(query, autoescape=True),
                              Organisation.credit_code.contains(query.upper(), autoescape=True)))
    return stmt


def supplier_or_404(credit_code: str) -> Organisation:
    found = db.session.scalars(select(Organisation).where(Organisation.credit_code == credit_code.upper(),
                                                          Organisation.kind == OrgKind.SUPPLIER)).first()
    if found is None:
        abort(404)
    return found


def is_published(application: FundingApplication) -> bool:
    return application.status in PUBLISHED_STATUSES or (application.status in AFTER_NOTICE_STATUSES
                                                        and application.notice_starts_on is not None)


def applications(organisation_id: int | None = None) -> Select:
    shown = or_(FundingApplication.status.in_(PUBLISHED_STATUSES),
                and_(FundingApplication.status.in_(AFTER_NOTICE_STATUSES),
                     FundingApplication.notice_starts_on.is_not(None)))
    stmt = (select(FundingApplication).where(shown)
            .options(*APPLICATION_OPTIONS)
            .order_by(FundingApplication.notice_starts_on.desc(), FundingApplication.id.desc()))
    if organisation_id is not None:
        stmt = stmt.where(FundingApplication.organisation_id == organisation_id)
    return stmt


def application_or_404(application_id: int) -> FundingApplication:
    found = db.session.scalars(applications().where(FundingApplication.id == application_id)).first()
    if found is None:
        abort(404)
    return found


def public_explanations(penalty: PenaltyRecord) -> list:
    """A supplier's explanations are published once a reviewer has marked the penalty rectified."""
    return list(penalty.explanations) if penalty.rectified_at is not None else []


def completed_plans(organisation_id: int | None = None) -> list[UpgradePlan]:
    """One supplier's completed and verified plans, or every supplier's (None), newest first."""
    stmt = (select(UpgradePlan).where(UpgradePlan.status.in_(PUBLIC_PLAN_STATUSES))
            .options(selectinload(UpgradePlan.measures)).order_by(UpgradePlan.id.desc()))
    if organisation_id is not None:
        stmt = stmt.where(UpgradePlan.organisation_id == organisation_id)
    return list(db.session.scalars(stmt))


def accepted_tips(organisation_id: int | None = None) -> list[Tip]:
    stmt = select(Tip).where(Tip.status == "accepted").order_by(Tip.decided_at.desc(), Tip.id.desc())
    if organisation_id is not None:
        stmt = stmt.where(Tip.organisation_id == organisation_id)
    return list(db.session.scalars(stmt.options(selectinload(Tip.organisation))))


@dataclass
class ObjectionSummary:
    received: int
    resolved: list[Objection]  # read only for their outcome, resolution and date

    @property
    def open(self) -> int:
        return self.received - len(self.resolved)


def objection_summaries(application_ids: list[int]) -> dict[int, ObjectionSummary]:
    """Every listed application's summary (empty ones too) from one query."""
    summaries = {application_id: ObjectionSummary(received=0, resolved=[]) for application_id in application_ids}
    found = db.session.scalars(select(Objection).where(Objection.application_id.in_(application_ids))
                               .order_by(Objection.submitted_at, Objection.id)) if application_ids else []
    for objection in found:
        summary = summaries[objection.application_id]
        summary.received += 1
        if objection.status != "received":
            summary.resolved.append(objection)
    return summaries


def objection_summary(application: FundingApplication) -> ObjectionSummary:
    return objection_summaries([application.id])[application.id]


def public_status(application: FundingApplication) -> str:
    """The status the public reads: a rejection is always one after the notice (no other is published)."""
    if application.status == "rejected":
        return str(_l("Rejected after the notice"))
    return status_label(application.status)


@dataclass
class Profile:
    organisation: Organisation
    ratings: list[CreditRating]
    penalties: list[PenaltyRecord]
    plans: list[UpgradePlan]
    funding: list[FundingApplication]
    buyers: list[Organisation]
    tips: list[Tip]


def profile(organisation: Organisation) -> Profile:
    ratings, penalties = records_of(organisation)
    return Profile(organisation=organisation, ratings=ratings, penalties=penalties,
                   plans=completed_plans(organisation.id),
                   funding=list(db.session.scalars(applications(organisation.id))),
                   buyers=buyers_of(organisation.id), tips=accepted_tips(organisation.id))
