"""Funding pages: suppliers see the programmes, check their eligibility (with "what if"), apply from an upgrade
plan and follow the application; the authority checks, sends it to experts and decides; experts of the technical
agency declare their interests and score. Each change is one transaction; nothing typed is lost on an error."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import files, local_time
from portal.access import is_supplier, owned_or_404, require, requires
from portal.errors import ServiceError, run_then_redirect
from portal.extensions import db
from portal.funding import amounts, closing, exports, review, rules, services
from portal.funding.models import PROJECT_TYPES, ApplicationFile, FundingApplication, FundingProgramme
from portal.funding.workflow import can_edit, is_agency_member, is_authority, is_expert_on, offered_actions
from portal.locking import sent_version
from portal.numbers import to_decimal
from portal.orgs.districts import district_choices
from portal.pagination import paginate
from portal.plans.models import UpgradePlan
from portal.records.models import LEVELS
from portal.templating import status_label

bp = Blueprint("funding", __name__)
PROJECT_TYPE_LABELS = {"replacement": _l("Replacing a treatment facility (更新改造)"),
                       "upgrade": _l("Upgrading to a stricter standard (提标升级)")}
COST_LABELS = {"equipment": _l("equipment"), "construction": _l("construction"), "other": _l("other costs")}
QUEUE_STATUSES = ("submitted", "returned", "expert_review", "site_verification", "decision", "approved",
                  "public_notice", "agreement", "disbursed", "acceptance", "closed", "rejected", "withdrawn")


def _reads_queue(user) -> bool:
    return is_authority(user) or is_agency_member(user)


@bp.get("/funding")
@requires(is_supplier)
def index():
    programmes = db.session.scalars(select(FundingProgramme).order_by(FundingProgramme.closes_on.desc())).all()
    applications = db.session.scalars(select(FundingApplication).where(
        FundingApplication.organisation_id == current_user.organisation_id)
        .options(selectinload(FundingApplication.programme), selectinload(FundingApplication.plan))
        .order_by(FundingApplication.id.desc())).all()
    return render_template("funding/index.html", programmes=programmes, applications=applications,
                           today=local_time.today())


def _own_plans():
    return db.session.scalars(select(UpgradePlan).where(
        UpgradePlan.organisation_id == current_user.organisation_id,
        UpgradePlan.status.in_(rules.APPROVED_PLAN_STATUSES))
        .options(selectinload(UpgradePlan.measures), selectinload(UpgradePlan.events))
        .order_by(UpgradePlan.id.desc())).all()


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


def _programme_page(programme, *, errors=None, status=200):
    plans = _own_plans()
    chosen = request.values.get("plan_id", "")
    plan = next((p for p in plans if str(p.id) == chosen), plans[0] if plans else None)
    project_type = request.values.get("project_type") if request.values.get("project_type") in PROJECT_TYPES \
        else "replacement"
    results = whatif_results = whatif = breakdown = None
    if plan is not None:
        facts, results = services.eligibility(programme, current_user.organisation, plan, today=local_time.today())
        whatif = {"applying_on": _date_arg("whatif_applying_on"), "rating_level": request.args.get("whatif_rating"),
                  "completed_on": _date_arg("whatif_completed_on"), "district": request.args.get("whatif_district")}
        if any(whatif.values()):
            whatif_results = rules.evaluate(programme.rules or [], rules.what_if(facts, **whatif))
        breakdown = amounts.for_plan(programme.amount_rule or {}, project_type, plan)
    return render_template(
        "funding/programme.html", programme=programme, plans=plans, plan=plan, results=results,
        whatif=whatif or {}, whatif_results=whatif_results, breakdown=breakdown, project_type=project_type,
        project_types=PROJECT_TYPE_LABELS, cost_labels=COST_LABELS, levels=LEVELS, level_labels=rules.LEVEL_LABELS,
        district_choices=district_choices(), blocked=bool(results and rules.blocking(results)),
        is_open=programme.is_open(local_time.today()), errors=errors or {}), status


@bp.get("/funding/programmes/<int:programme_id>")
@requires(is_supplier)
def programme(programme_id):
    return _programme_page(db.get_or_404(FundingProgramme, programme_id))


@bp.post("/funding/programmes/<int:programme_id>/apply")
@requires(is_supplier)
def apply(programme_id):
    found = db.get_or_404(FundingProgramme, programme_id)
    plan_id = request.form.get("plan_id", "")
    if not plan_id.isdigit():
        return _programme_page(found, errors={"plan_id": _("Choose the plan of the project.")}, status=422)
    plan = owned_or_404(UpgradePlan, int(plan_id))
    if plan.organisation_id != current_user.organisation_id:
        abort(404)
    try:
        application = services.start(found, plan, request.form.get("project_type", ""), actor=current_user,
                                     today=local_time.today())
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _programme_page(db.session.get(FundingProgramme, programme_id), status=422)
    flash(_("Application started. Check the amount, upload the materials, then submit it."), "success")
    return redirect(url_for("funding.application", application_id=application.id))


def _detail(application, *, form=None, errors=None, typed=None, score_form=None, closing_form=None, status=200):
    breakdown = services.computed_amount(application)
    mine = next((a for a in application.assignments if a.expert_id == current_user.id), None)
    actions = offered_actions(current_user, application)
    return render_template(
        "funding/application.html", application=application, breakdown=breakdown, form=form or {},
        errors=errors or {}, typed=typed or {}, score_form=score_form or {}, editable=can_edit(current_user,
                                                                                                 application),
        actions=actions, not_yet=services.not_yet(application, actions, today=local_time.today()),
        missing=services.missing_materials(application),
        project_types=PROJECT_TYPE_LABELS, cost_labels=COST_LABELS, mine=mine,
        is_authority=is_authority(current_user), expert_pool=review.expert_pool() if is_authority(current_user)
        else [], review_problems=review.review_problems(application), panel=review.panel_of(application),
        committed=services.committed_sum(application.programme_id), submitted=services.submitted_amount(application),
        closing=closing.page_context(application, current_user), closing_form=closing_form or {},
        decision_letter=exports.has_decision_letter(application),
        eligibility=rules.shown(application.eligibility or [])), status


@bp.route("/funding/applications/<int:application_id>", methods=["GET", "POST"])
def application(application_id):
    found = owned_or_404(FundingApplication, application_id)
    if request.method == "GET":
        return _detail(found)
    raw = (request.form.get("requested_amount") or "").strip()
    requested = to_decimal(raw) if raw else None
    if raw and requested is None:
        return _detail(found, form=request.form, errors={"requested_amount": _(
            "Enter an amount in yuan, for example 1,250,000 (no 万 or other units).")}, status=422)
    try:
        services.update(found, project_type=request.form.get("project_type", ""),
                        summary=(request.form.get("summary") or "").strip(), requested=requested,
                        expected_version=sent_version(request.form.get("version")), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        fresh = db.session.get(FundingApplication, application_id)
        if err.field:
            return _detail(fresh, form=request.form, errors={err.field: err.message}, status=422)
        flash(err.message, "error")
        return _detail(fresh, form=request.form, status=409)
    flash(_("Application saved."), "success")
    return redirect(url_for("funding.application", application_id=application_id))


def _run(application_id: int, change, success: str, anchor: str):
    """Runs one change to an application in its own transaction, then shows the application again."""
    return run_then_redirect(change, success, url_for("funding.application", application_id=application_id,
                                                      _anchor=anchor))


@bp.post("/funding/applications/<int:application_id>/files")
def attach(application_id):
    found = owned_or_404(FundingApplication, application_id)
    upload = request.files.get("file")

    def change():
        if upload is None or not upload.filename:
            raise ServiceError(_("Choose a file to upload."))
        services.attach(found, request.form.get("material", ""), upload.filename, upload.read(), actor=current_user)

    return _run(application_id, change, _("File attached."), "materials")


@bp.get("/funding/application-files/<int:application_file_id>")
def download(application_file_id):
    return files.send_stored(owned_or_404(ApplicationFile, application_file_id))


@bp.post("/funding/applications/<int:application_id>/act")
def act(application_id):
    found = owned_or_404(FundingApplication, application_id)
    action = request.form.get("action", "")
    if action not in services.WORKFLOW.transitions:
        abort(400)
    comment, raw_amount = request.form.get("comment", ""), (request.form.get("amount") or "").strip()
    typed = {"action": action, "comment": comment, "amount": raw_amount}
    amount = to_decimal(raw_amount) if raw_amount else None
    try:
        if raw_amount and amount is None:
            raise ServiceError(_("Enter the amount in yuan, for example 1,500,000."), field="amount")
        services.act(found, action, comment, expected_version=sent_version(request.form.get("version")),
                     actor=current_user, today=local_time.today(), amount=amount)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        fresh = db.session.get(FundingApplication, application_id)
        if err.field in ("comment", "amount"):  # beside the step's own field, what was typed still in it
            return _detail(fresh, typed=typed, errors={f"{err.field}-{action}": err.message}, status=422)
        flash(err.message, "error")  # what was typed stays in the form
        return _detail(fresh, typed=typed, status=409)
    flash(_("The application is now: %(status)s.", status=status_label(found.status)), "success")
    return redirect(url_for("funding.application", application_id=application_id, _anchor="timeline"))


@bp.post("/funding/applications/<int:application_id>/experts")
def assign_experts(application_id):
    found = owned_or_404(FundingApplication, application_id)
    require(is_authority)
    chosen = [int(v) for v in request.form.getlist("expert_id") if v.isdigit()]
    return _run(application_id, lambda: review.assign_experts(found, chosen, actor=current_user),
                _("Experts assigned; each is asked to declare any conflict of interest, then to score."), "review")


@bp.post("/funding/applications/<int:application_id>/declaration")
def declare(application_id):
    found = owned_or_404(FundingApplication, application_id)
    require(is_agency_member)
    conflict = {"yes": True, "no": False}.get(request.form.get("conflict", ""))
    note = (request.form.get("declaration_note") or "").strip()
    try:
        review.declare(found, conflict, note, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        if not err.field:
            flash(err.message, "error")
            return redirect(url_for("funding.application", application_id=application_id, _anchor="review"))
        return _detail(db.session.get(FundingApplication, application_id), score_form=request.form,
                       errors={err.field: err.message}, status=422)
    flash(_("You have recused yourself from this application.") if conflict
          else _("Declaration recorded: you may now score."), "success")
    return redirect(url_for("funding.application", application_id=application_id, _anchor="review"))


@bp.post("/funding/applications/<int:application_id>/scores")
def score(application_id):
    found = owned_or_404(FundingApplication, application_id)
    require(is_agency_member)
    if not is_expert_on(current_user, found):
        abort(403)
    values, errors = review.read_scores(found.programme.rubric or [], request.form)
    comments = (request.form.get("comments") or "").strip()
    if errors:
        return _detail(found, score_form=request.form, errors=errors, status=422)
    try:
        review.score(found, values, comments, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        return _detail(db.session.get(FundingApplication, application_id), score_form=request.form,
                       errors={err.field or "comments": err.message}, status=422)
    flash(_("Scores saved."), "success")
    return redirect(url_for("funding.application", application_id=application_id, _anchor="review"))


def queue_statement(*options):
    """The applications of the queue with its filters (status; "assigned to me" for experts)."""
    stmt = (select(FundingApplication).where(FundingApplication.visible_to(current_user))
            .options(selectinload(FundingApplication.programme), selectinload(FundingApplication.organisation),
                     selectinload(FundingApplication.assignments), *options)
            .order_by(FundingApplication.submitted_at.desc(), FundingApplication.id.desc()))
    if (status := request.args.get("status", "")) in QUEUE_STATUSES:
        stmt = stmt.where(FundingApplication.status == status)
    if is_agency_member(current_user) and request.args.get("mine"):
        stmt = stmt.where(FundingApplication.assignments.any(expert_id=current_user.id))
    return stmt


@bp.get("/funding/queue")
@requires(_reads_queue)
def queue():
    return render_template("funding/queue.html", page=paginate(queue_statement()),
                           status=request.args.get("status", ""), statuses=QUEUE_STATUSES,
                           mine=bool(request.args.get("mine")))
