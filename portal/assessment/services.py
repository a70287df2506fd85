"""Self-assessments: start (pre-filled from last year's answers and accepted annual data), answer, submit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.assessment import benchmark as spec
from portal.assessment import scoring
from portal.assessment.facts import facts_for
from portal.assessment.models import Assessment, Benchmark
from portal.audit.services import record_event
from portal.chains import consent
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.notifications.recipients import AGENCY, members_of, members_of_kind
from portal.numbers import to_decimal

PROGRAMME_BENCHMARK = Path(__file__).parent / "data" / "programme_benchmark.yaml"
CONFLICT = _l("Someone else saved this assessment while you were answering. Your answers are still in the form; "
              "check them and save again.")


def seed_programme_benchmark() -> int:
    """Publishes the programme's default benchmark once per version of the file. Idempotent."""
    parsed, problems = spec.load_yaml(PROGRAMME_BENCHMARK.read_text(encoding="utf-8"))
    if problems:
        raise ValueError("; ".join(f"{p.path}: {p.message}" for p in problems))
    if db.session.scalars(select(Benchmark).where(Benchmark.key == parsed.id,
                                                  Benchmark.version == parsed.version)).first():
        return 0
    db.session.add(Benchmark(key=parsed.id, version=parsed.version, status="published", title_zh=parsed.title_zh,
                             title_en=parsed.title_en, definition=parsed.to_dict(), published_at=utcnow()))
    return 1


def published() -> list[Benchmark]:
    return list(db.session.scalars(select(Benchmark).where(Benchmark.status == "published")
                                   .order_by(Benchmark.key, Benchmark.version.desc())))


_parsed: dict[tuple[int, int], spec.Benchmark] = {}


def questionnaire(row: Benchmark) -> spec.Benchmark:
    """The parsed questionnaire of a stored benchmark, cached per row and row version (every edit of a
    draft bumps version_id; published ones never change)."""
    key = (row.id, row.version_id)
    if key not in _parsed:
        if len(_parsed) > 64:
            _parsed.clear()
        _parsed[key] = spec.from_dict(row.definition)
    return _parsed[key]


def _prefill(questions: spec.Benchmark, facts: dict) -> tuple[dict, dict]:
    answers, sources = {}, {}
    for question in questions.questions():
        fact = question.prefill_fact
        if not fact or fact not in facts:
            continue
        value = facts[fact]
        if question.type == "yes_partly_no" and isinstance(value, bool):
            answers[question.id] = "yes" if value else "no"
        elif question.type == "number" and isinstance(value, Decimal | int):
            answers[question.id] = str(value)
        else:
            continue
        sources[question.id] = fact
    return answers, sources


def start(organisation_id: int, row: Benchmark, year: int, *, actor) -> Assessment:
    if db.session.scalars(select(Assessment).where(Assessment.organisation_id == organisation_id,
                                                   Assessment.benchmark_id == row.id,
                                                   Assessment.year == year)).first():
        raise ServiceError(_l("You already have an assessment against this benchmark for %(year)d.", year=year),
                           field="year")
    questions = questionnaire(row)
    # Report once: last year's answers carry over, then what the accepted annual data shows replaces them.
    last = db.session.scalars(select(Assessment).join(Benchmark).where(
        Assessment.organisation_id == organisation_id, Benchmark.key == row.key, Assessment.year == year - 1)
        .order_by(Assessment.id.desc())).first()
    answers = {q.id: last.answers[q.id] for q in questions.questions() if last and q.id in last.answers}
    filled, sources = _prefill(questions, facts_for(organisation_id))
    answers.update(filled)
    assessment = Assessment(organisation_id=organisation_id, benchmark_id=row.id, year=year, answers=answers,
                            prefilled=sources)
    db.session.add(assessment)
    record_event("assessment.started", assessment, actor=actor,
                 summary={"benchmark": f"{row.key} v{row.version}", "year": year, "prefilled": len(sources),
                          "from_last_year": bool(last)})
    return assessment


def read_answers(questions: spec.Benchmark, form) -> tuple[dict, dict]:
    """(answers, errors by question id) from a submitted form; what was typed is kept either way."""
    answers, errors = {}, {}
    for question in questions.questions():
        raw = (form.get(f"q__{question.id}") or "").strip()
        if not raw:
            continue
        answers[question.id] = raw
        if question.type == "yes_partly_no" and raw not in spec.YES_PARTLY_NO_POINTS:
            errors[question.id] = _l("Choose yes, partly or no.")
        elif question.type == "choice" and raw not in {o.value for o in question.options}:
            errors[question.id] = _l("Choose one of the listed options.")
        elif question.type == "number" and to_decimal(raw) is None:
            errors[question.id] = _l("Enter a number, for example 1234.5 (no units or words).")
    return answers, errors


def save(assessment: Assessment, answers: dict, *, expected_version: int | None, actor) -> None:
    if assessment.status != "draft":
        raise ServiceError(_l("A submitted assessment cannot be changed."), code="locked")
    check_version(assessment, expected_version, CONFLICT)
    assessment.answers = answers
    assessment.prefilled = {qid: fact for qid, fact in (assessment.prefilled or {}).items()
                            if answers.get(qid) is not None}
    flush_or_conflict(CONFLICT)


def scorecard(assessment: Assessment, answers: dict | None = None) -> scoring.Scorecard:
    """The assessment's scorecard; `answers` scores what the user has typed instead of what is saved."""
    return scoring.score(questionnaire(assessment.benchmark), dict(assessment.answers or {}) if answers is None
                         else answers, facts_for(assessment.organisation_id))


def submit(assessment: Assessment, *, actor) -> None:
    if assessment.status != "draft":
        raise ServiceError(_l("This assessment has already been submitted."), code="locked")
    card = scorecard(assessment)
    unanswered = [q.question_id for q in card.questions if q.unanswered]
    if unanswered:
        raise ServiceError(_l("%(count)d questions are not answered yet.", count=len(unanswered)), code="unanswered")
    assessment.status, assessment.submitted_at = "submitted", utcnow()
    assessment.score, assessment.grade = card.total, card.grade
    record_event("assessment.submitted", assessment, actor=actor,
                 summary={"score": str(card.total), "grade": card.grade,
                          "knockouts": [k.knockout_id for k in card.knockouts]})
    consent.share_new_assessment(assessment, actor=actor)
    _tell_verifiers(assessment)


def _tell_verifiers(assessment: Assessment) -> None:
    """Who may verify it next (verification.can_verify): every technical agency member, and every member of each
    buyer it is shared with."""
    buyers = {share.buyer_organisation_id for share in assessment.shares}
    notify([*members_of_kind(AGENCY), *members_of(buyers)], "assessment.submitted", mail_template="notification",
           link=url_for("verification.verify", assessment_id=assessment.id), org=assessment.organisation,
           score=assessment.score, grade=assessment.grade)
