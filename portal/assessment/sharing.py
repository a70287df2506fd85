"""Report once: a supplier shares one submitted assessment with every buyer whose questionnaire it answers
(any version of the same benchmark). Nothing is shared without the supplier's consent, and it can be withdrawn."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload

from portal.assessment.models import Assessment, AssessmentShare, Benchmark, Verification
from portal.audit.services import record_event
from portal.chains.models import ChainLink
from portal.errors import ServiceError
from portal.extensions import db
from portal.orgs.models import Organisation, OrgKind


def candidate_buyers(assessment: Assessment) -> list[Organisation]:
    """Buyers whose chosen questionnaire this assessment answers (a buyer always accepts its own benchmark),
    and the buyers whose supply chain the supplier is in (portal/chains)."""
    benchmark: Benchmark = assessment.benchmark
    in_chain = select(ChainLink.buyer_organisation_id).where(
        ChainLink.supplier_organisation_id == assessment.organisation_id)
    matches = [Organisation.benchmark_key == benchmark.key, Organisation.id.in_(in_chain)]
    if benchmark.owner_organisation_id is None:
        matches.append(Organisation.benchmark_key.is_(None))
    else:
        matches.append(Organisation.id == benchmark.owner_organisation_id)
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.BUYER, or_(*matches))
                                   .order_by(Organisation.name_zh)))


def set_shares(assessment: Assessment, buyer_ids: set[int], *, actor) -> tuple[list[int], list[int]]:
    """Shares with exactly `buyer_ids` (all candidates); returns (added, removed) buyer ids."""
    if assessment.status != "submitted":
        raise ServiceError(_l("Submit the assessment before sharing it."), code="not_submitted")
    candidates = {org.id for org in candidate_buyers(assessment)}
    if not buyer_ids <= candidates:
        raise ServiceError(_l("One of the chosen buyers does not use this questionnaire."), field="buyers")
    current = {share.buyer_organisation_id: share for share in assessment.shares}
    added = sorted(buyer_ids - current.keys())
    removed = sorted(current.keys() - buyer_ids)
    for buyer_id in added:
        assessment.shares.append(AssessmentShare(buyer_organisation_id=buyer_id,
                                                 shared_by_id=getattr(actor, "id", None)))
    for buyer_id in removed:
        assessment.shares.remove(current[buyer_id])
    started = assessment.verification
    dropped = started is not None and started.status == "in_progress" and started.organisation_id in removed
    if dropped:
        # The buyer may no longer see the assessment, so its unfinished verification goes; the agency may verify.
        assessment.verification = None
    if added or removed:
        record_event("assessment.sharing_changed", assessment, actor=actor,
                     summary={"shared_with": added, "withdrawn_from": removed,
                              "unfinished_verification_dropped": dropped})
    return added, removed


def received(user):
    """The query of submitted assessments a buyer or the agency may open: unverified first, then newest."""
    return (select(Assessment).outerjoin(Verification)
            .where(Assessment.visible_to(user), Assessment.status == "submitted")
            .options(joinedload(Assessment.organisation), joinedload(Assessment.benchmark),
                     contains_eager(Assessment.verification))
            .order_by(Verification.completed_at.is_not(None), Assessment.submitted_at.desc(), Assessment.id))
