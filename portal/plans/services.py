"""Upgrade plans: start one (from a site's accepted data, optionally from assessment gaps), edit it, move it
through its workflow, record milestones, and verify it against the next accepted annual data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal import files, local_time
from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.notifications.recipients import AGENCY, active_admins, members_of_kind
from portal.numbers import to_decimal
from portal.plans import baseline as numbers
from portal.plans.catalogue import INDICATOR_KEYS, MEASURE_LABELS
from portal.plans.models import PlanEvent, PlanFile, PlanMeasure, PlanMilestone, UpgradePlan
from portal.plans.workflow import WORKFLOW, can_edit, can_update_milestones, is_plan_owner

CONFLICT = _l("Someone else saved this plan while you were editing it. What you typed is still in the form; "
              "check it against the current plan and save again.")
MAX_AMOUNT = Decimal("1e11")  # yuan; anything larger is a typing mistake


def start(organisation_id: int, site, title: str, *, actor, assessment=None, gaps: list[str] = (),
          guidance_request=None) -> UpgradePlan:
    accepted = numbers.accepted_for_site(site.id)
    plan = UpgradePlan(organisation_id=organisation_id, site=site, title=title, assessment_id=getattr(
        assessment, "id", None), gaps=list(gaps), guidance_request=guidance_request)
    if accepted is not None:
        _use_accepted(plan, accepted)
    db.session.add(plan)
    plan.events.append(PlanEvent(action="create", to_status="draft", actor_id=actor.id))
    record_event("plan.created", plan, actor=actor, summary={"site": site.name, "gaps": list(gaps),
                                                             "guidance_request": getattr(guidance_request, "id", None),
                                                             "baseline_year": plan.baseline_year})
    return plan


def _use_accepted(plan: UpgradePlan, accepted: numbers.Accepted) -> list[str]:
    """Takes the baseline from an accepted report. Figures the user entered for indicators the report does not
    state are kept (and returned); figures of an earlier report are not, since they belong to another year."""
    kept = {key: entry for key, entry in (plan.baseline or {}).items()
            if entry.get("source") == "entered" and key not in accepted.values}
    plan.baseline = {**{key: {"value": str(value), "source": "report"} for key, value in accepted.values.items()},
                     **kept}
    plan.baseline_year, plan.baseline_report_id = accepted.year, accepted.report_id
    return [key for key in INDICATOR_KEYS if key in kept]


def newer_accepted(plan: UpgradePlan) -> numbers.Accepted | None:
    """The site's latest accepted report when the plan may take its baseline from it again: the plan's baseline
    is not from a report, or this report is of a later year."""
    accepted = numbers.accepted_for_site(plan.site_id)
    if accepted is None:
        return None
    if plan.baseline_report_id is None or plan.baseline_year is None or accepted.year > plan.baseline_year:
        return accepted
    return None


def take_baseline(plan: UpgradePlan, *, expected_version: int | None, actor) -> tuple[int, list[str]]:
    """Replaces the baseline with the site's newer accepted report; (its year, the entered figures kept)."""
    _require_editable(plan, actor)
    check_version(plan, expected_version, CONFLICT)
    accepted = newer_accepted(plan)
    if accepted is None:
        raise ServiceError(_l("The site has no accepted annual report newer than this plan's baseline."),
                           code="no_data")
    before = {"baseline_year": plan.baseline_year, "baseline_report_id": plan.baseline_report_id}
    kept = _use_accepted(plan, accepted)
    record_event("plan.baseline_taken", plan, actor=actor,
                 summary={**before, "to_year": accepted.year, "report_id": accepted.report_id, "kept": kept})
    flush_or_conflict(CONFLICT)
    return accepted.year, kept


def _require_editable(plan: UpgradePlan, actor) -> None:
    if not can_edit(actor, plan):
        raise ServiceError(_l("This plan can only be changed while it is a draft or has comments to answer."),
                           code="locked")


def read_baseline(form) -> tuple[dict, dict]:
    """(entered baseline values by indicator, errors by indicator) from the plan form."""
    values, errors = {}, {}
    for key in INDICATOR_KEYS:
        raw = (form.get(f"baseline__{key}") or "").strip()
        if not raw:
            continue
        values[key] = raw
        number = to_decimal(raw)
        if number is None or number < 0:
            errors[key] = _l("Enter a number of 0 or more, without units.")
    return values, errors


def update(plan: UpgradePlan, *, title: str, summary: str, baseline_year: int | None, entered: dict,
           expected_version: int | None, actor) -> None:
    _require_editable(plan, actor)
    check_version(plan, expected_version, CONFLICT)
    old = dict(plan.baseline or {})
    # A value that differs from what the accepted data said becomes "entered": evidence is then expected.
    plan.baseline = {key: {"value": value, "source": "report" if old.get(key, {}).get("value") == value
                           and old.get(key, {}).get("source") == "report" else "entered"}
                     for key, value in entered.items()}
    plan.title, plan.summary, plan.baseline_year = title, summary or None, baseline_year
    flush_or_conflict(CONFLICT)


def read_measure(form) -> tuple[dict, dict]:
    """(measure values, errors by field) from the measure form; amounts in yuan, reductions per indicator."""
    errors, values = {}, {"kind": form.get("kind", ""), "description": (form.get("description") or "").strip()}
    if values["kind"] not in MEASURE_LABELS:
        errors["kind"] = _l("Choose the kind of measure.")
    if not values["description"]:
        errors["description"] = _l("Describe the measure: what is installed or changed, and where.")
    for key in ("equipment", "construction", "other"):
        raw = (form.get(key) or "").strip() or "0"
        number = to_decimal(raw)
        if number is None or number < 0 or number >= MAX_AMOUNT:
            errors[key] = _l("Enter an amount in yuan, for example 1,250,000 (no 万 or other units).")
        values[key] = number if number is not None else raw
    reductions = {}
    for key in INDICATOR_KEYS:
        raw = (form.get(f"reduction__{key}") or "").strip()
        if raw:
            number = to_decimal(raw)
            if number is None or number < 0:
                errors[f"reduction__{key}"] = _l("Enter the expected reduction as a number of 0 or more.")
            reductions[key] = raw
    values["reductions"] = reductions
    return values, errors


def add_measure(plan: UpgradePlan, values: dict, *, actor) -> PlanMeasure:
    _require_editable(plan, actor)
    measure = PlanMeasure(kind=values["kind"], description=values["description"], equipment=values["equipment"],
                          construction=values["construction"], other=values["other"],
                          reductions=values["reductions"])
    plan.measures.append(measure)
    plan.updated_at = utcnow()  # bumps the plan's version: a concurrent editor of the plan is told
    record_event("plan.measure_added", plan, actor=actor,
                 summary={"kind": measure.kind, "investment": str(measure.total)})
    return measure


def remove_measure(plan: UpgradePlan, measure_id: int, *, actor) -> None:
    _require_editable(plan, actor)
    measure = next((m for m in plan.measures if m.id == measure_id), None)
    if measure is None:
        raise ServiceError(_l("That measure is no longer in the plan."), code="gone")
    plan.measures.remove(measure)
    plan.updated_at = utcnow()
    record_event("plan.measure_removed", plan, actor=actor, summary={"kind": measure.kind})


def add_milestone(plan: UpgradePlan, title: str, due_date: date, responsible: str, *, actor) -> PlanMilestone:
    _require_editable(plan, actor)
    milestone = PlanMilestone(title=title, due_date=due_date, responsible=responsible)
    plan.milestones.append(milestone)
    plan.updated_at = utcnow()
    record_event("plan.milestone_added", plan, actor=actor, summary={"title": title, "due": due_date.isoformat()})
    return milestone


def record_progress(plan: UpgradePlan, milestone_id: int, done_on: date | None, note: str, upload, *,
                    actor) -> None:
    if not can_update_milestones(actor, plan):
        raise ServiceError(_l("Milestones are updated while the plan is in progress."), code="locked")
    milestone = next((m for m in plan.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise ServiceError(_l("That milestone is no longer in the plan."), code="gone")
    if done_on is not None and done_on > local_time.today():
        raise ServiceError(_l("The date it was done cannot be in the future."), field="done_on")
    milestone.done_on, milestone.progress_note = done_on, note or None
    if upload is not None:
        attach(plan, "milestone", upload.filename, upload.read(), actor=actor, milestone=milestone)
    plan.updated_at = utcnow()
    record_event("plan.milestone_updated", plan, actor=actor,
                 summary={"milestone": milestone.title, "done_on": done_on.isoformat() if done_on else None})


def attach(plan: UpgradePlan, purpose: str, filename: str, data: bytes, *, actor, milestone=None) -> PlanFile:
    stored = files.store(filename, data)
    item = PlanFile(organisation_id=plan.organisation_id, plan_id=plan.id, purpose=purpose,
                    milestone_id=getattr(milestone, "id", None), uploaded_by_id=actor.id, **stored)
    db.session.add(item)
    record_event("plan.file_attached", plan, actor=actor, summary={"purpose": purpose, "file": item.filename,
                                                                   "sha256": stored["sha256"]})
    return item


def _problems_before_submit(plan: UpgradePlan) -> list[str]:
    problems = []
    if not plan.measures:
        problems.append(_l("Add at least one measure."))
    if not plan.milestones:
        problems.append(_l("Add at least one milestone with its date and responsible person."))
    if not plan.baseline:
        problems.append(_l("Give the baseline: accept an annual report first, or enter the figures."))
    return problems


def act(plan: UpgradePlan, action: str, comment: str, *, expected_version: int | None, actor) -> None:
    """Moves the plan by one transition of the workflow, with its checks; recorded on the timeline."""
    transition = WORKFLOW[action]
    if not WORKFLOW.can(actor, action, plan):
        raise ServiceError(_l("This step is not open to you in the plan's current state."), code="not_allowed")
    check_version(plan, expected_version, CONFLICT)
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise ServiceError(_l("Write the comments the supplier should answer."), field="comment")
    if action == "submit" and (problems := _problems_before_submit(plan)):
        raise ServiceError("; ".join(str(p) for p in problems), code="incomplete")
    if action == "complete" and any(m.done_on is None for m in plan.milestones):
        raise ServiceError(_l("Record every milestone as done before completing the plan."), code="incomplete")
    if action == "verify":
        plan.verification = comparison(plan)
    before = plan.status
    plan.status = transition.target
    if action == "submit":
        plan.submitted_at = utcnow()
    plan.events.append(PlanEvent(action=action, from_status=before, to_status=plan.status, comment=comment or None,
                                 actor_id=actor.id))
    record_event(f"plan.{action}", plan, actor=actor, summary={"from": before, "to": plan.status,
                                                               "comment": comment or None})
    _tell_other_side(plan, action)
    flush_or_conflict(CONFLICT)


def _tell_other_side(plan: UpgradePlan, action: str) -> None:
    """The supplier's steps reach the technical agency; the agency's steps reach the supplier's admins."""
    owner_acts = WORKFLOW[action].who is is_plan_owner
    recipients = members_of_kind(AGENCY) if owner_acts else active_admins(plan.organisation_id)
    notify(recipients, f"plan.{action}", mail_template="notification", link=url_for("plans.detail", plan_id=plan.id),
           title=plan.title, org=plan.site.organisation)


def comparison(plan: UpgradePlan) -> dict:
    """The plan's baseline against the first accepted annual data after the baseline year, on the same
    indicators. Raises when there is none yet."""
    if plan.baseline_year is None:
        raise ServiceError(_l("The plan has no baseline year to compare with."), code="no_baseline")
    after = numbers.accepted_for_site(plan.site_id, after_year=plan.baseline_year, latest=False)
    if after is None:
        raise ServiceError(_l("There is no accepted annual report of this site after %(year)d yet; verify the "
                              "plan once it is accepted.", year=plan.baseline_year), code="no_data")
    result = {"year": after.year, "report_id": after.report_id, "indicators": {}}
    for key, entry in (plan.baseline or {}).items():
        before = to_decimal(entry.get("value"))
        now = after.values.get(key)
        if before is None or now is None:
            continue
        result["indicators"][key] = {"baseline": str(before), "after": str(now), "change": str(now - before)}
    return result


def expected_totals(plan: UpgradePlan) -> dict[str, Decimal]:
    """Expected reductions summed over the measures, per indicator."""
    totals: dict[str, Decimal] = {}
    for measure in plan.measures:
        for key, raw in (measure.reductions or {}).items():
            number = to_decimal(raw)
            if number is not None:
                totals[key] = totals.get(key, Decimal(0)) + number
    return totals


def avoided_co2(plan: UpgradePlan, totals: dict[str, Decimal]):
    """Where the measures save electricity but state no CO2, the CO2 that saving avoids (grid factor of the
    baseline year), shown with its factor and source."""
    if "ghg" in totals or "electricity" not in totals or plan.baseline_year is None:
        return None
    return numbers.co2_from_electricity(totals["electricity"], plan.baseline_year)
