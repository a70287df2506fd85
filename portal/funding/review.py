"""Expert review of a funding application: the authority assigns at least three experts of the technical agency;
each declares that they have no conflict of interest (or recuses), then scores the programme's rubric with
comments. The panel score is the mean after dropping the highest and the lowest score when there are five or
more scores, the median otherwise."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import record_event
from portal.auth.models import User
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding.models import ExpertAssignment, FundingApplication
from portal.funding.workflow import is_authority
from portal.notifications import notify
from portal.notifications.recipients import AUTHORITY, members_of_kind
from portal.numbers import to_decimal
from portal.orgs.models import Organisation, OrgKind

MIN_EXPERTS = 3
TRIM_FROM = 5  # with this many scores or more, the highest and the lowest are dropped


def panel_score(totals: list[Decimal]) -> Decimal | None:
    if not totals:
        return None
    ordered = sorted(totals)
    if len(ordered) >= TRIM_FROM:
        kept = ordered[1:-1]
        value = sum(kept, Decimal(0)) / len(kept)
    else:
        value = Decimal(median(ordered))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def active_assignments(application: FundingApplication) -> list[ExpertAssignment]:
    return [a for a in application.assignments if a.status != "recused"]


def review_problems(application: FundingApplication) -> list[str]:
    """What keeps the expert review from closing; empty when the panel score can be taken."""
    active = active_assignments(application)
    problems = []
    if len(active) < MIN_EXPERTS:
        problems.append(str(_l("At least %(n)d experts without a conflict of interest must review (now %(count)d).",
                               n=MIN_EXPERTS, count=len(active))))
    waiting = [a.expert.name for a in active if a.status != "scored"]
    if waiting:
        problems.append(str(_l("Scores still missing from: %(names)s.", names="、".join(waiting))))
    return problems


def panel_of(application: FundingApplication) -> Decimal | None:
    return panel_score([a.total for a in application.assignments if a.status == "scored" and a.total is not None])


def expert_pool() -> list[User]:
    return list(db.session.scalars(select(User).join(Organisation, User.organisation_id == Organisation.id).where(
        Organisation.kind == OrgKind.AGENCY, User.active.is_(True)).order_by(User.name, User.id)))


def assign_experts(application: FundingApplication, expert_ids: list[int], *, actor) -> list[ExpertAssignment]:
    if not is_authority(actor) or application.status != "expert_review":
        raise ServiceError(_l("Experts are assigned by the authority while the application is in expert review."),
                           code="not_allowed")
    pool = {u.id: u for u in expert_pool()}
    already = {a.expert_id for a in application.assignments}
    chosen = [pool[i] for i in dict.fromkeys(expert_ids) if i in pool and i not in already]
    if len(active_assignments(application)) + len(chosen) < MIN_EXPERTS:
        raise ServiceError(_l("Choose at least %(n)d experts in all (experts who recused do not count).",
                              n=MIN_EXPERTS), field="experts")
    added = []
    for expert in chosen:
        assignment = ExpertAssignment(expert_id=expert.id, assigned_by_id=actor.id)
        application.assignments.append(assignment)
        added.append(assignment)
        notify([expert], "funding.expert_assigned", mail_template="funding_expert_assigned",
               link=url_for("funding.application", application_id=application.id), ref=application.reference,
               application=application)
    application.updated_at = utcnow()
    record_event("funding.experts_assigned", application, actor=actor,
                 summary={"experts": [e.email for e in chosen]})
    return added


def _own_assignment(application: FundingApplication, actor) -> ExpertAssignment:
    assignment = next((a for a in application.assignments if a.expert_id == actor.id), None)
    if assignment is None or application.status != "expert_review":
        raise ServiceError(_l("Only an assigned expert reviews, while the application is in expert review."),
                           code="not_allowed")
    return assignment


def declare(application: FundingApplication, conflict: bool | None, note: str, *, actor) -> ExpertAssignment:
    """`conflict` None: the expert chose neither answer, and nothing is assumed for them."""
    assignment = _own_assignment(application, actor)
    if assignment.status != "assigned":
        raise ServiceError(_l("You have already made your declaration for this application."), code="not_allowed")
    if conflict is None:
        raise ServiceError(_l("Choose whether you have a conflict of interest with the applicant."), field="conflict")
    if conflict and not note:
        raise ServiceError(_l("Say briefly what the conflict of interest is."), field="declaration_note")
    assignment.status = "recused" if conflict else "declared"
    assignment.declaration_note, assignment.declared_at = note or None, utcnow()
    record_event("funding.expert_recused" if conflict else "funding.expert_declared", application, actor=actor,
                 summary={"note": note or None})
    if conflict:
        _tell_authority_if_all_scored(application)
    return assignment


def read_scores(rubric: list[dict], form) -> tuple[dict[str, str], dict[str, str]]:
    """(points per criterion as typed, errors per criterion) from the scoring form."""
    values, errors = {}, {}
    for criterion in rubric:
        name = f"score__{criterion['key']}"
        raw = (form.get(name) or "").strip()
        values[criterion["key"]] = raw
        number = to_decimal(raw)
        if number is None or number < 0 or number > Decimal(str(criterion["weight"])):
            errors[name] = str(_l("Give 0 to %(max)s points.", max=criterion["weight"]))
    return values, errors


def score(application: FundingApplication, scores: dict[str, str], comments: str, *, actor) -> ExpertAssignment:
    assignment = _own_assignment(application, actor)
    first_score = assignment.status == "declared"
    if assignment.status not in ("declared", "scored"):
        raise ServiceError(_l("Declare that you have no conflict of interest before scoring."), code="not_allowed")
    if not comments:
        raise ServiceError(_l("Write your comments: what the scores rest on."), field="comments")
    assignment.scores = dict(scores)
    assignment.total = sum((to_decimal(v) for v in scores.values()), Decimal(0))
    assignment.comments, assignment.status, assignment.scored_at = comments, "scored", utcnow()
    application.updated_at = utcnow()
    record_event("funding.expert_scored", application, actor=actor,
                 summary={"scores": scores, "total": assignment.total})
    if first_score:
        _tell_authority_if_all_scored(application)
    return assignment


def _tell_authority_if_all_scored(application: FundingApplication) -> None:
    """Once, when the last score needed comes in (a later change of one's scores does not repeat it)."""
    if not review_problems(application):
        notify(members_of_kind(AUTHORITY), "funding.scores_complete", mail_template="notification",
               link=url_for("funding.application", application_id=application.id), ref=application.reference)
