"""Verification of a submitted assessment by a buyer it was shared with or by the technical agency: each answer
accepted or adjusted with a comment; completing it freezes the verified score beside the supplier's own."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.access import is_org_member
from portal.assessment import scoring, services
from portal.assessment.models import Assessment, Verification
from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.orgs.membership import active_admins
from portal.orgs.models import OrgKind

DECISIONS = ("accept", "adjust")
CONFLICT = _l("Someone else saved this verification while you were working on it. Your decisions are still in "
              "the form; check them and save again.")


def can_verify(user, assessment: Assessment) -> bool:
    """The agency verifies any submitted assessment, a buyer those shared with it; nobody their own. Once one
    organisation has started, it alone carries on."""
    if not is_org_member(user) or assessment.status != "submitted":
        return False
    if user.org_kind == OrgKind.AGENCY:
        allowed = True
    elif user.org_kind == OrgKind.BUYER:
        allowed = any(share.buyer_organisation_id == user.organisation_id for share in assessment.shares)
    else:
        return False
    started = assessment.verification
    return allowed and (started is None or (started.organisation_id == user.organisation_id
                                            and started.status == "in_progress"))


def read_decisions(assessment: Assessment, form) -> tuple[dict, dict]:
    """(decisions, errors by question id) from the verification form; what was typed is kept either way."""
    questions = services.questionnaire(assessment.benchmark)
    decisions, errors = {}, {}
    for question in questions.questions():
        decision = form.get(f"decision__{question.id}") or "accept"
        comment = (form.get(f"comment__{question.id}") or "").strip()[:2000]
        entry = {"decision": decision if decision in DECISIONS else "accept", "comment": comment}
        if entry["decision"] == "adjust":
            entry["answer"] = (form.get(f"answer__{question.id}") or "").strip()
            _answers, problems = services.read_answers(questions, {f"q__{question.id}": entry["answer"]})
            if not entry["answer"]:
                errors[question.id] = _l("Give the answer the evidence supports.")
            elif problems:
                errors[question.id] = problems[question.id]
            elif not comment:
                errors[question.id] = _l("Say why you adjusted the answer; the supplier sees this comment.")
        decisions[question.id] = entry
    return decisions, errors


def save(assessment: Assessment, decisions: dict, *, expected_version: int | None, actor) -> Verification:
    if not can_verify(actor, assessment):
        raise ServiceError(_l("This assessment is not open to your verification."), code="not_allowed")
    verification = assessment.verification
    if verification is None:
        verification = Verification(assessment=assessment, organisation_id=actor.organisation_id)
        db.session.add(verification)
        record_event("assessment.verification_started", assessment, actor=actor, summary={})
    elif expected_version is None:
        raise ConflictError(CONFLICT, code="conflict")  # the form was loaded before someone else started
    else:
        check_version(verification, expected_version, CONFLICT)
    verification.decisions = decisions
    verification.verifier_id = actor.id
    flush_or_conflict(CONFLICT)
    return verification


def verified_scorecard(assessment: Assessment) -> scoring.Scorecard | None:
    verification = assessment.verification
    if verification is None:
        return None
    return services.scorecard(assessment, verification.verified_answers(dict(assessment.answers or {})))


def complete(assessment: Assessment, decisions: dict, *, expected_version: int | None, actor) -> Verification:
    verification = save(assessment, decisions, expected_version=expected_version, actor=actor)
    card = verified_scorecard(assessment)
    verification.status, verification.completed_at = "completed", utcnow()
    verification.score, verification.grade = card.total, card.grade
    adjusted = sorted(qid for qid, entry in decisions.items() if entry["decision"] == "adjust")
    record_event("assessment.verified", assessment, actor=actor,
                 summary={"self_score": str(assessment.score), "verified_score": str(card.total),
                          "grade": card.grade, "adjusted": adjusted})
    notify(active_admins(assessment.organisation_id), "assessment.verified", mail_template="assessment_verified",
           link=url_for("assessment.scorecard", assessment_id=assessment.id), score=card.total, grade=card.grade,
           assessment=assessment, verification=verification, adjusted=len(adjusted))
    flush_or_conflict(CONFLICT)
    return verification
