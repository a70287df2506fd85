"""On-site expert guidance: a supplier admin asks for a visit to one of its sites; the technical agency schedules
it with its experts, records the findings, and closes or declines it. Each step is one transition of the table in
workflow.py, on the request's timeline, audited and e-mailed to the other side. Findings can start a plan."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import local_time
from portal.audit.services import record_event
from portal.auth.models import User
from portal.capacity.models import SEVERITIES, TOPICS, GuidanceEvent, GuidanceFinding, GuidanceRequest
from portal.capacity.workflow import WORKFLOW, can_start_plan
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.notifications.recipients import AGENCY, active_admins, members_of_kind
from portal.orgs.models import Organisation, OrgKind
from portal.plans import services as plans
from portal.plans.models import UpgradePlan

CONFLICT = _l("Someone else changed this request while you were working on it. What you typed is still in the "
              "form; check it against the current request and send it again.")
MAX_FINDINGS = 20


def read_request(form, sites) -> tuple[dict, dict]:
    """(values, errors by field) of a new request; `sites` are the supplier's own (any other id is refused)."""
    errors = {}
    site = next((s for s in sites if str(s.id) == (form.get("site_id") or "")), None)
    if site is None:
        errors["site_id"] = _l("Choose one of your sites.")
    topic = form.get("topic") or ""
    if topic not in TOPICS:
        errors["topic"] = _l("Choose the topic.")
    description = (form.get("description") or "").strip()
    if not description:
        errors["description"] = _l("Describe the problem or question the experts should look at.")
    days, today = [], local_time.today()
    for name in ("preferred_1", "preferred_2", "preferred_3"):
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        day = local_time.parse_day(raw)
        if day is None or day <= today:
            errors[name] = _l("Give a date after today.")
        elif day not in days:
            days.append(day)
    if not days and "preferred_1" not in errors:
        errors["preferred_1"] = _l("Give at least one date that suits you.")
    return {"site": site, "topic": topic, "description": description, "preferred_dates": sorted(days)}, errors


def create_request(organisation_id: int, values: dict, *, actor) -> GuidanceRequest:
    guidance_request = GuidanceRequest(organisation_id=organisation_id, site=values["site"], topic=values["topic"],
                                       description=values["description"], requested_by_id=actor.id,
                                       preferred_dates=[d.isoformat() for d in values["preferred_dates"]])
    db.session.add(guidance_request)
    guidance_request.events.append(GuidanceEvent(action="create", to_status="requested", actor_id=actor.id))
    record_event("guidance.requested", guidance_request, actor=actor, summary={
        "site": values["site"].name, "topic": values["topic"], "preferred_dates": guidance_request.preferred_dates})
    db.session.flush()
    notify(members_of_kind(AGENCY), "guidance.requested", mail_template="notification",
           link=url_for("capacity.guidance_request", guidance_request_id=guidance_request.id),
           site=values["site"].name, org=values["site"].organisation)
    return guidance_request


def agency_experts(agency_id: int | None) -> list[User]:
    """The active members of the actor's technical agency, who can be sent on a visit."""
    return list(db.session.scalars(select(User).join(Organisation, User.organisation_id == Organisation.id).where(
        Organisation.id == agency_id, Organisation.kind == OrgKind.AGENCY, User.active.is_(True))
        .order_by(User.name)))


def read_findings(form) -> tuple[list[dict], dict]:
    """Findings typed as rows finding-<n>-topic/severity/description/recommendation; empty rows are skipped."""
    findings, errors = [], {}
    for n in range(MAX_FINDINGS):
        row = {key: (form.get(f"finding-{n}-{key}") or "").strip()
               for key in ("topic", "severity", "description", "recommendation")}
        if not row["description"] and not row["recommendation"]:
            continue
        if row["topic"] not in TOPICS:
            errors[f"finding-{n}-topic"] = _l("Choose the topic.")
        if row["severity"] not in SEVERITIES:
            errors[f"finding-{n}-severity"] = _l("Choose how serious it is.")
        if not row["description"]:
            errors[f"finding-{n}-description"] = _l("Describe what was found.")
        findings.append(row)
    return findings, errors


def _schedule(guidance_request: GuidanceRequest, visit_at, expert_ids: list[int], note: str | None, actor) -> None:
    """Sets the date and the experts; the note to the supplier is replaced only when one is given (a reschedule's
    reason goes on the timeline, not over the note)."""
    if visit_at is None or visit_at <= utcnow():
        raise ServiceError(_l("Give the date and time of the visit, after now."), field="visit_at")
    pool = {u.id: u for u in agency_experts(actor.organisation_id)}
    chosen = [pool[i] for i in expert_ids if i in pool]
    if not chosen or len(chosen) != len(set(expert_ids)):
        raise ServiceError(_l("Choose at least one expert of your agency."), field="expert_id")
    guidance_request.visit_at, guidance_request.experts = visit_at, chosen
    if note:
        guidance_request.schedule_note = note


def findings_wait_until(guidance_request: GuidanceRequest, today: date) -> date | None:
    """The day of the visit while it is still ahead (findings are recorded from that day on), else None."""
    visit_day = local_time.local_day(guidance_request.visit_at) if guidance_request.visit_at else None
    return visit_day if visit_day is not None and visit_day > today else None


def _record(guidance_request: GuidanceRequest, findings: list[dict], today: date) -> None:
    if visit_day := findings_wait_until(guidance_request, today):
        raise ServiceError(_l("The visit is planned for %(day)s; record its findings after it.",
                              day=format_date(visit_day)), code="too_early")
    if not findings:
        raise ServiceError(_l("Record at least one finding with its topic, severity and description."),
                           field="findings")
    guidance_request.findings = [GuidanceFinding(topic=f["topic"], severity=f["severity"],
                                                 description=f["description"],
                                                 recommendation=f["recommendation"] or None) for f in findings]


def act(guidance_request: GuidanceRequest, action: str, comment: str, *, expected_version: int | None, actor,
        visit_at=None, expert_ids: list[int] = (), findings: list[dict] = (), schedule_note: str | None = None) -> None:
    """Moves the request by one transition, with that step's checks and data. On "schedule" the comment is the note
    to the supplier; on "reschedule" it is the reason, and `schedule_note` (when typed) replaces the note."""
    transition = WORKFLOW[action]
    check_version(guidance_request, expected_version, CONFLICT)  # a stale page is a conflict, not a refusal
    if not WORKFLOW.can(actor, action, guidance_request):
        raise ServiceError(_l("This step is not open to you in the request's current state."), code="not_allowed")
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise ServiceError(_l("Write the reason: the supplier reads it."), field="comment")
    if action == "cancel" and guidance_request.visit_at is not None and guidance_request.visit_at <= utcnow():
        raise ServiceError(_l("The visit has taken place; the request can no longer be cancelled. The agency "
                              "records its findings or closes it."), code="too_late")
    experts_before, visit_before, event_comment = list(guidance_request.experts), guidance_request.visit_at, comment
    if action == "schedule":
        _schedule(guidance_request, visit_at, list(expert_ids), comment, actor)
    elif action == "reschedule":
        _schedule(guidance_request, visit_at, list(expert_ids), (schedule_note or "").strip(), actor)
        moved = f"{local_time.text(visit_before)} → {local_time.text(guidance_request.visit_at)} (UTC+8)"
        event_comment = f"{moved}\n{comment}" if comment else moved
    elif action == "record":
        _record(guidance_request, list(findings), local_time.today())
    before = guidance_request.status
    guidance_request.status = transition.target
    guidance_request.updated_at = utcnow()
    guidance_request.events.append(GuidanceEvent(action=action, from_status=before, to_status=transition.target,
                                                 comment=event_comment or None, actor_id=actor.id))
    record_event(f"guidance.{action}", guidance_request, actor=actor, summary={
        "from": before, "to": transition.target, "comment": comment or None,
        "visit_at": guidance_request.visit_at if action in ("schedule", "reschedule") else None,
        "experts": [u.name for u in guidance_request.experts] if action in ("schedule", "reschedule") else None,
        "findings": len(guidance_request.findings) if action == "record" else None})
    flush_or_conflict(CONFLICT)
    _tell(guidance_request, action, comment, actor, experts_before)


def _tell(guidance_request: GuidanceRequest, action: str, comment: str, actor, experts_before: list[User]) -> None:
    """The supplier's admins hear of every step the agency takes, and the experts of the visits they go on (or no
    longer go on); the supplier's steps go to the assigned experts, or the agency when none is assigned yet. The
    person who acted is not told of their own step."""
    if actor.organisation_id == guidance_request.organisation_id:
        people = list(guidance_request.experts) or members_of_kind(AGENCY)
    else:
        people = active_admins(guidance_request.organisation_id)
        if action in ("schedule", "reschedule", "decline"):
            people += [*guidance_request.experts, *experts_before]
    visit = local_time.text(guidance_request.visit_at) if guidance_request.visit_at else None
    notify([user for user in people if user.id != actor.id], f"guidance.{action}", mail_template="notification",
           link=url_for("capacity.guidance_request", guidance_request_id=guidance_request.id),
           site=guidance_request.site.name, org=guidance_request.organisation, visit=visit, comment=comment)


def plan_of(guidance_request: GuidanceRequest) -> UpgradePlan | None:
    return db.session.scalars(select(UpgradePlan).where(
        UpgradePlan.guidance_request_id == guidance_request.id)).first()


def start_plan(guidance_request: GuidanceRequest, *, actor) -> UpgradePlan:
    """A draft upgrade plan for the visited site that carries the visit's findings (through plans.start)."""
    if not can_start_plan(actor, guidance_request):
        raise ServiceError(_l("A plan starts from the findings of a visit, by an admin of the supplier."),
                           code="not_allowed")
    # The request's row lock makes a second click wait and then find the first plan; the unique index on
    # upgrade_plans.guidance_request_id refuses what slips through.
    db.session.execute(select(GuidanceRequest.id).where(GuidanceRequest.id == guidance_request.id).with_for_update())
    if (existing := plan_of(guidance_request)) is not None:
        raise _already_started(existing)
    title = str(_l("Upgrade after the on-site guidance visit of %(day)s",
                   day=format_date(local_time.local_day(guidance_request.visit_at))))
    try:
        with db.session.begin_nested():
            plan = plans.start(guidance_request.organisation_id, guidance_request.site, title[:200], actor=actor,
                               guidance_request=guidance_request)
            db.session.flush()
    except IntegrityError:
        raise _already_started(plan_of(guidance_request)) from None
    record_event("guidance.plan_started", guidance_request, actor=actor, summary={"plan": plan.id})
    return plan


def _already_started(existing: UpgradePlan | None) -> ServiceError:
    return ServiceError(_l("A plan was already started from these findings: %(title)s.",
                           title=existing.title if existing else "—"), code="exists")
