"""Funding applications: start one from an upgrade plan, edit it, attach its materials, and move it through its
workflow up to the decision and the start of the public notice. Each step is one transaction, audited, on the
application's timeline, and e-mailed to the supplier's admins."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal import files
from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import amounts, closing_checks, objections, review, rules
from portal.funding.models import (
    COMMITTED_STATUSES,
    PROJECT_TYPES,
    ApplicationEvent,
    ApplicationFile,
    FundingApplication,
    FundingProgramme,
)
from portal.funding.workflow import WORKFLOW, can_edit, recused_ids
from portal.locale_format import day, number
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.notifications.recipients import AGENCY, AUTHORITY, members_of_kind
from portal.orgs.membership import active_admins
from portal.workdays import calendar

CONFLICT = _l("Someone else changed this application while you were working on it. What you typed is still in "
              "the form; check it against the current application and send it again.")
OTHER_MATERIAL = "other"
WHOLE_YUAN = _l("Enter whole yuan, without fen.")


def eligibility(programme: FundingProgramme, organisation, plan, *, today: date,
                application: FundingApplication | None = None) -> tuple[rules.Facts, list[rules.RuleResult]]:
    facts = rules.gather_facts(organisation, plan, applying_on=today,
                               exclude_application_id=getattr(application, "id", None))
    return facts, rules.evaluate(programme.rules or [], facts)


def _refuse_failures(results: list[rules.RuleResult]) -> None:
    if failed := rules.blocking(results):
        raise ServiceError(_l("Not eligible: %(rules)s. The eligibility check shows how to fix each.",
                              rules="; ".join(r.label for r in failed)), code="ineligible")


def computed_amount(application: FundingApplication) -> amounts.AmountBreakdown:
    """What the programme's formula gives for the plan as it is now."""
    return amounts.for_plan(application.programme.amount_rule or {}, application.project_type, application.plan)


def submitted_amount(application: FundingApplication) -> amounts.AmountBreakdown:
    """The cap requests and approvals are checked against: frozen when the application was last (re)submitted,
    the formula on today's plan before that."""
    if application.submitted_breakdown:
        return amounts.from_data(application.submitted_breakdown)
    return computed_amount(application)


def start(programme: FundingProgramme, plan, project_type: str, *, actor, today: date) -> FundingApplication:
    if not programme.is_open(today):
        raise ServiceError(_l("This programme accepts applications from %(opens)s to %(closes)s.",
                              opens=day(programme.opens_on), closes=day(programme.closes_on)),
                           code="closed")
    if project_type not in PROJECT_TYPES:
        raise ServiceError(_l("Choose the kind of project."), field="project_type")
    if plan.status not in rules.APPROVED_PLAN_STATUSES:
        raise ServiceError(_l("Apply with a plan the technical agency has approved."), field="plan_id")
    facts, results = eligibility(programme, plan.site.organisation, plan, today=today)
    _refuse_failures(results)
    application = FundingApplication(organisation_id=plan.organisation_id, programme=programme, plan=plan,
                                     project_type=project_type, summary=plan.summary,
                                     eligibility=rules.as_data(programme.rules or [], results, facts))
    db.session.add(application)
    application.events.append(ApplicationEvent(action="create", to_status="draft", actor_id=actor.id))
    record_event("funding.application_created", application, actor=actor,
                 summary={"programme": programme.name, "plan": plan.title, "project_type": project_type})
    return application


def check_whole_yuan(amount: Decimal, field: str) -> None:
    """Funding amounts are whole yuan (the formula rounds down to the yuan): a fraction is refused, never rounded."""
    if not amounts.whole_yuan(amount):
        raise ServiceError(WHOLE_YUAN, field=field)


def check_requested(application: FundingApplication, requested: Decimal | None, most: Decimal | None = None) -> None:
    if requested is None:
        return
    check_whole_yuan(requested, "requested_amount")
    most = submitted_amount(application).amount if most is None else most
    if requested <= 0 or requested > most:
        raise ServiceError(_l("Ask for more than 0 and at most %(most)s yuan, the amount this programme's formula "
                              "gives for the project.", most=number(most)), field="requested_amount")


def update(application: FundingApplication, *, project_type: str, summary: str, requested: Decimal | None,
           expected_version: int | None, actor) -> None:
    if not can_edit(actor, application):
        raise ServiceError(_l("The application can only be changed while it is a draft or was returned."),
                           code="locked")
    check_version(application, expected_version, CONFLICT)
    if project_type not in PROJECT_TYPES:
        raise ServiceError(_l("Choose the kind of project."), field="project_type")
    application.project_type, application.summary = project_type, summary or None
    check_requested(application, requested, computed_amount(application).amount)  # frozen again on submission
    application.requested_amount = requested
    flush_or_conflict(CONFLICT)


def attach(application: FundingApplication, material: str, filename: str, data: bytes, *, actor) -> ApplicationFile:
    if not can_edit(actor, application):
        raise ServiceError(_l("Materials are uploaded while the application is a draft or was returned."),
                           code="locked")
    keys = {m["key"] for m in application.programme.materials or []}
    if material not in keys:
        material = OTHER_MATERIAL
    stored = files.store(filename, data)
    item = ApplicationFile(organisation_id=application.organisation_id, material=material, uploaded_by_id=actor.id,
                           **stored)
    application.files.append(item)
    application.updated_at = utcnow()
    record_event("funding.file_attached", application, actor=actor,
                 summary={"material": material, "file": item.filename, "sha256": stored["sha256"]})
    return item


def missing_materials(application: FundingApplication) -> list[dict]:
    have = {f.material for f in application.files}
    return [m for m in application.programme.materials or [] if m["key"] not in have]


def committed_sum(programme_id: int) -> Decimal:
    """Approved amounts still committed; a closed application keeps only what was paid (its final amount)."""
    committed = func.coalesce(FundingApplication.final_amount, FundingApplication.approved_amount)
    return db.session.scalar(select(func.coalesce(func.sum(committed), 0)).where(
        FundingApplication.programme_id == programme_id,
        FundingApplication.status.in_(COMMITTED_STATUSES))) or Decimal(0)


def _approve(application: FundingApplication, amount: Decimal | None) -> None:
    most = submitted_amount(application).amount
    if amount is not None:
        check_whole_yuan(amount, "amount")
    else:  # the request (an older one may carry fen: approved in whole yuan, rounded down) or the formula's amount
        amount = (application.requested_amount or most).to_integral_value(rounding=ROUND_DOWN)
    if amount <= 0 or amount > most:
        raise ServiceError(_l("Approve more than 0 and at most %(most)s yuan (the programme's formula for this "
                              "project).", most=number(most)), field="amount")
    # The row lock serialises decisions on one programme (PostgreSQL); the sum is read after taking it.
    programme = db.session.scalars(select(FundingProgramme).where(FundingProgramme.id == application.programme_id)
                                   .with_for_update().execution_options(populate_existing=True)).one()
    remaining = programme.budget - committed_sum(programme.id)
    if amount > remaining:
        raise ServiceError(_l("The programme's budget has %(left)s yuan left; %(amount)s yuan cannot be approved.",
                              left=number(remaining), amount=number(amount)), field="amount", code="budget")
    application.approved_amount = amount


def check_step(application: FundingApplication, action: str, *, expected_version: int | None, actor) -> None:
    """Refuses a step the transition table does not give `actor` now; a stale page first, as a conflict."""
    check_version(application, expected_version, CONFLICT)
    if not WORKFLOW.can(actor, action, application):
        raise ServiceError(_l("This step is not open to you in the application's current state."),
                           code="not_allowed")


def act(application: FundingApplication, action: str, comment: str, *, expected_version: int | None, actor,
        today: date, amount: Decimal | None = None) -> None:
    """Moves the application by one transition of the workflow, with that step's checks."""
    transition = WORKFLOW[action]
    check_step(application, action, expected_version=expected_version, actor=actor)
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise ServiceError(_l("Write the reasons: the supplier reads them."), field="comment")
    if action in ("submit", "resubmit"):
        _before_submit(application, today=today)
    elif action == "close_review":
        if problems := review.review_problems(application):
            raise ServiceError(" ".join(problems), code="review_open")
        application.panel_score = review.panel_of(application)
    elif action == "approve":
        _approve(application, amount)
    elif action == "start_notice":
        days = application.programme.notice_days
        application.notice_starts_on, application.notice_ends_on = today, calendar.add_working_days(today, days)
    elif action == "end_notice":
        objections.require_resolved(application, today)
    elif action in closing_checks.STEPS_WITH_DATA:
        closing_checks.require_data(application, action)
    if action in ("approve", "reject"):
        application.decision_reasons, application.decided_by_id = comment or None, actor.id
    before = application.status
    application.status = transition.target
    if action in ("submit", "resubmit"):
        application.submitted_at = utcnow()
    application.events.append(ApplicationEvent(action=action, from_status=before, to_status=application.status,
                                               comment=comment or None, actor_id=actor.id))
    record_event(f"funding.{action}", application, actor=actor, summary={
        "from": before, "to": application.status, "comment": comment or None,
        "approved_amount": application.approved_amount if action == "approve" else None})
    flush_or_conflict(CONFLICT)
    _tell_supplier(application, before, comment, actor)


def not_yet(application: FundingApplication, actions: list[str], *, today: date) -> dict[str, str]:
    """The offered steps that cannot be taken yet, and why: the notice that still runs or has objections without a
    resolution, the acceptance report without its evidence. The page shows them disabled with the reason rather
    than a button that only answers with an error. (Why the expert review cannot close yet is shown beside the
    panel.)"""
    waiting = {}
    if "start_acceptance" in actions and not application.acceptance_files:
        waiting["start_acceptance"] = str(closing_checks.EVIDENCE_FIRST)
    if "end_notice" in actions:
        try:
            objections.require_resolved(application, today)
        except ServiceError as err:
            waiting["end_notice"] = str(err.message)
    return waiting


def _before_submit(application: FundingApplication, *, today: date) -> None:
    if application.status == "draft" and not application.programme.is_open(today):
        raise ServiceError(_l("The programme closed on %(closes)s.",
                              closes=day(application.programme.closes_on)), code="closed")
    facts, results = eligibility(application.programme, application.organisation, application.plan, today=today,
                                 application=application)
    application.eligibility = rules.as_data(application.programme.rules or [], results, facts)
    _refuse_failures(results)
    if missing := missing_materials(application):
        raise ServiceError(_l("Upload the required materials first: %(names)s.",
                              names="; ".join(m["label"] for m in missing)), code="incomplete")
    breakdown = computed_amount(application)
    application.submitted_cap, application.submitted_breakdown = breakdown.amount, amounts.as_data(breakdown)
    check_requested(application, application.requested_amount)


def _tell_supplier(application: FundingApplication, before: str, comment: str, actor) -> None:
    """Every step reaches the supplier's admins (in the portal and by e-mail), and the people who act next hear
    about it: a submission or resubmission the authority (its formal check comes next); the closed expert review
    the technical agency (it organises the site check); the recorded site check the authority (it decides); the
    acceptance report the agency and the authority (either gives the verdict); a withdrawal the authority (unless
    it was a draft) and the experts still assigned (their work stops). Agency members who recused on the
    application are left out. Whoever took the step is not told about it."""
    link = url_for("funding.application", application_id=application.id)
    ref = application.reference

    def others(users) -> list:
        return [user for user in users if user.id != actor.id]

    def agency() -> list:
        recused = recused_ids(application)
        return [user for user in members_of_kind(AGENCY) if user.id not in recused]

    notify(others(active_admins(application.organisation_id)), "funding.status", link=link,
           mail_template="funding_status", ref=ref, status=application.status, application=application,
           before=before, comment=comment)
    if application.status == "submitted":
        notify(others(members_of_kind(AUTHORITY)), "funding.resubmitted" if before == "returned" else
               "funding.submitted", link=link, mail_template="notification", ref=ref, org=application.organisation)
    elif application.status == "site_verification":
        notify(others(agency()), "funding.site_check_due", link=link, mail_template="notification", ref=ref,
               org=application.organisation)
    elif application.status == "decision" and before == "site_verification":
        notify(others(members_of_kind(AUTHORITY)), "funding.decision_due", link=link, mail_template="notification",
               ref=ref, org=application.organisation)
    elif application.status == "acceptance":
        notify(others([*agency(), *members_of_kind(AUTHORITY)]), "funding.acceptance_report",
               link=link, mail_template="notification", ref=ref, org=application.organisation)
    elif application.status == "withdrawn":
        experts = [a.expert for a in application.assignments if a.status in ("assigned", "declared")]
        authority = members_of_kind(AUTHORITY) if before != "draft" else []
        notify(others([*authority, *experts]), "funding.withdrawn", link=link, mail_template="notification",
               ref=ref, org=application.organisation, comment=comment)
