"""On-site guidance pages: a supplier admin requests a visit to one of its sites; the technical agency schedules
it, records the findings and closes or declines it; findings can start an upgrade plan."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import local_time
from portal.access import is_agency_member, is_org_admin, is_supplier, owned_or_404, requires
from portal.capacity import guidance
from portal.capacity.blueprint import bp
from portal.capacity.catalogue import SEVERITY_LABELS, TOPIC_LABELS
from portal.capacity.models import REQUEST_STATUSES, GuidanceEvent, GuidanceRequest
from portal.capacity.workflow import WORKFLOW, can_start_plan, reads_requests
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import sent_version
from portal.pagination import paginate
from portal.sites.services import sites_of
from portal.templating import status_label


def _requests_guidance(user) -> bool:
    return is_supplier(user) and is_org_admin(user)


@bp.get("/guidance-requests")
@requires(reads_requests)
def guidance_requests():
    stmt = (select(GuidanceRequest).where(GuidanceRequest.visible_to(current_user))
            .options(selectinload(GuidanceRequest.site), selectinload(GuidanceRequest.organisation))
            .order_by(GuidanceRequest.updated_at.desc(), GuidanceRequest.id.desc()))
    status = request.args.get("status", "")
    if status in REQUEST_STATUSES:
        stmt = stmt.where(GuidanceRequest.status == status)
    return render_template("capacity/requests.html", page=paginate(stmt), status=status, statuses=REQUEST_STATUSES,
                           topics=TOPIC_LABELS, can_request=_requests_guidance(current_user))


@bp.route("/guidance-requests/new", methods=["GET", "POST"])
@requires(_requests_guidance)
def new_guidance_request():
    sites = sites_of(current_user.organisation_id)
    errors = {}
    if request.method == "POST":
        values, errors = guidance.read_request(request.form, sites)
        if not errors:
            created = guidance.create_request(current_user.organisation_id, values, actor=current_user)
            db.session.commit()
            flash(_("Request sent. The technical agency will propose a date."), "success")
            return redirect(url_for("capacity.guidance_request", guidance_request_id=created.id))
    return render_template("capacity/request_new.html", sites=sites, topics=TOPIC_LABELS, errors=errors,
                           values=request.form,
                           first_day=local_time.today() + timedelta(days=1)), 422 if errors else 200


def _detail(guidance_request: GuidanceRequest, *, typed=None, errors=None, status=200):
    return render_template(
        "capacity/request.html", item=guidance_request, topics=TOPIC_LABELS, severities=SEVERITY_LABELS,
        actions=WORKFLOW.allowed_actions(current_user, guidance_request), typed=typed or {}, errors=errors or {},
        experts=guidance.agency_experts(current_user.organisation_id) if is_agency_member(current_user) else [],
        can_start_plan=can_start_plan(current_user, guidance_request), plan=guidance.plan_of(guidance_request),
        visit_value=local_time.input_value(guidance_request.visit_at), max_findings=guidance.MAX_FINDINGS,
        findings_from=guidance.findings_wait_until(guidance_request, local_time.today()),
        preferred=[local_time.parse_day(d) for d in guidance_request.preferred_dates]), status


_FULL = (selectinload(GuidanceRequest.events).selectinload(GuidanceEvent.actor),
         selectinload(GuidanceRequest.findings), selectinload(GuidanceRequest.experts))


@bp.get("/guidance-requests/<int:guidance_request_id>")
def guidance_request(guidance_request_id):
    return _detail(owned_or_404(GuidanceRequest, guidance_request_id, options=_FULL))


@bp.post("/guidance-requests/<int:guidance_request_id>/act")
def act_guidance_request(guidance_request_id):
    item = owned_or_404(GuidanceRequest, guidance_request_id, options=_FULL)
    action = request.form.get("action", "")
    if action not in WORKFLOW.transitions:
        abort(400)
    findings, errors = guidance.read_findings(request.form) if action == "record" else ([], {})
    typed = {"action": action, **request.form.to_dict(flat=True),
             "expert_id": request.form.getlist("expert_id")}
    if errors:
        return _detail(item, typed=typed, errors=errors, status=422)
    expert_ids = [int(i) for i in request.form.getlist("expert_id") if i.isdecimal()]  # "²".isdigit() is True
    try:
        guidance.act(item, action, request.form.get("comment", ""), actor=current_user,
                     expected_version=sent_version(request.form.get("version")),
                     visit_at=local_time.parse_local(request.form.get("visit_at")), expert_ids=expert_ids,
                     findings=findings, schedule_note=request.form.get("schedule_note"))
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")  # what was typed (comment, date, findings) stays in the form
        return _detail(owned_or_404(GuidanceRequest, guidance_request_id, options=_FULL), typed=typed,
                       errors={err.field: err.message} if err.field else {},
                       status=409 if err.code in ("conflict", "not_allowed") else 422)
    flash(_("The request is now: %(status)s.", status=status_label(item.status)), "success")
    return redirect(url_for("capacity.guidance_request", guidance_request_id=guidance_request_id,
                            _anchor="timeline"))


@bp.post("/guidance-requests/<int:guidance_request_id>/plan")
def start_plan(guidance_request_id):
    item = owned_or_404(GuidanceRequest, guidance_request_id, options=_FULL)
    try:
        plan = guidance.start_plan(item, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("capacity.guidance_request", guidance_request_id=guidance_request_id))
    flash(_("Plan started from the visit's findings. Add the measures that answer them."), "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))
