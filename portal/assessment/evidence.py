"""Evidence behind an assessment's answers, and the answers that claim points without the evidence their
question requires (shown as warnings: the verifier decides whether the claim stands)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import files
from portal.assessment import benchmark as spec
from portal.assessment import scoring
from portal.assessment.models import Assessment, AssessmentEvidence
from portal.audit.services import record_event
from portal.errors import ServiceError
from portal.extensions import db


def attach(assessment: Assessment, question_id: str, filename: str, data: bytes, *, actor) -> AssessmentEvidence:
    stored = files.store(filename, data, field=f"q__{question_id}")
    item = AssessmentEvidence(organisation_id=assessment.organisation_id, assessment_id=assessment.id,
                              question_id=question_id, uploaded_by_id=actor.id, **stored)
    db.session.add(item)
    record_event("assessment.evidence_attached", assessment, actor=actor,
                 summary={"question": question_id, "file": item.filename, "sha256": stored["sha256"]})
    return item


def remove(assessment: Assessment, item_id: int, *, actor) -> None:
    """Takes a file off one of a draft's answers (the stored content stays: another record may share it)."""
    item = db.session.scalars(select(AssessmentEvidence).where(AssessmentEvidence.id == item_id,
                                                               AssessmentEvidence.assessment_id == assessment.id)
                              ).first()
    if item is None:
        raise ServiceError(_l("That file is no longer attached."), code="gone")
    db.session.delete(item)
    record_event("assessment.evidence_removed", assessment, actor=actor,
                 summary={"question": item.question_id, "file": item.filename})


def by_question(assessment: Assessment) -> dict[str, list[AssessmentEvidence]]:
    found: dict[str, list[AssessmentEvidence]] = {}
    for item in db.session.scalars(select(AssessmentEvidence).where(
            AssessmentEvidence.assessment_id == assessment.id).order_by(AssessmentEvidence.uploaded_at)):
        found.setdefault(item.question_id, []).append(item)
    return found


def missing(questions: spec.Benchmark, card: scoring.Scorecard, evidence: dict[str, list]) -> list[str]:
    """Questions whose answer earns points and requires evidence, with none attached."""
    required = {q.id for q in questions.questions() if q.evidence == "required"}
    return [result.question_id for result in card.questions
            if result.question_id in required and result.earned > 0 and not evidence.get(result.question_id)]
