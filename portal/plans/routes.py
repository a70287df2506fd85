"""Upgrade plan pages: the supplier writes and carries out a plan; the technical agency comments, approves
and verifies it. Each action is one transaction; nothing typed is lost on an error."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import files, local_time
from portal.access import is_supplier, owned_or_404, requires
from portal.assessment.models import Assessment
from portal.assessment.services import questionnaire
from portal.errors import ServiceError, run_then_redirect
from portal.extensions import db
from portal.i18n import current_locale
from portal.locking import sent_version
from portal.orgs.models import OrgKind
from portal.pagination import paginate
from portal.plans import services
from portal.plans.catalogue import INDICATORS, MEASURE_LABELS, MEASURES
from portal.plans.models import PlanFile, UpgradePlan
from portal.plans.workflow import WORKFLOW, can_edit, can_update_milestones
from portal.sites.services import sites_of
from portal.templating import status_label

bp = Blueprint("plans", __name__)
PURPOSE_LABELS = {"design": _l("Design"), "quote": _l("Quote"), "contract": _l("Contract"),
                  "baseline": _l("Baseline evidence"), "milestone": _l("Milestone evidence"), "other": _l("Other")}
FILE_PURPOSES = ("design", "quote", "contract", "baseline", "other")


def _reads_plans(user) -> bool:
    return is_supplier(user) or user.org_kind in (OrgKind.AGENCY, OrgKind.AUTHORITY)


@bp.get("/plans")
@requires(_reads_plans)
def index():
    stmt = (select(UpgradePlan).where(UpgradePlan.visible_to(current_user))
            .options(selectinload(UpgradePlan.site), selectinload(UpgradePlan.measures))
            .order_by(UpgradePlan.updated_at.desc(), UpgradePlan.id.desc()))
    status = request.args.get("status", "")
    if status:
        stmt = stmt.where(UpgradePlan.status == status)
    return render_template("plans/index.html", page=paginate(stmt), status=status)


def _gaps_from(assessment_id: str | None) -> tuple[Assessment | None, list[str]]:
    """The supplier's own assessment and the gaps chosen on its gap report, when a plan starts from them."""
    if not assessment_id or not assessment_id.isdigit():
        return None, []
    assessment = owned_or_404(Assessment, int(assessment_id))
    if assessment.organisation_id != current_user.organisation_id:
        abort(404)
    return assessment, [g for g in request.values.getlist("gap") if len(g) <= 40]


@bp.route("/plans/new", methods=["GET", "POST"])
@requires(is_supplier)
def new():
    sites = sites_of(current_user.organisation_id)
    assessment, gaps = _gaps_from(request.values.get("assessment"))
    title = (request.form.get("title") or "").strip()
    errors = {}
    if request.method == "POST":
        site = next((s for s in sites if str(s.id) == request.form.get("site_id")), None)
        if site is None:
            errors["site_id"] = _("Choose the site the plan is for.")
        if not title:
            errors["title"] = _("Give the plan a short title, for example “VOCs treatment upgrade, line 2”.")
        if not errors:
            plan = services.start(current_user.organisation_id, site, title[:200], actor=current_user,
                                  assessment=assessment, gaps=gaps)
            db.session.commit()
            flash(_("Plan started. The baseline was taken from the site's latest accepted annual report where "
                    "there is one."), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    questions = questionnaire(assessment.benchmark) if assessment else None
    return render_template("plans/new.html", sites=sites, assessment=assessment, gaps=gaps, title=title,
                           errors=errors, chosen_site=request.form.get("site_id"), locale=current_locale(),
                           gap_questions=[(g, questions.question(g) if questions else None) for g in gaps]
                           ), 422 if errors else 200


def _detail(plan, *, errors=None, form=None, measure_form=None, measure_errors=None, comment=None, progress=None,
            status=200):
    totals = services.expected_totals(plan)
    editable = can_edit(current_user, plan)
    return render_template(
        "plans/detail.html", plan=plan, indicators=INDICATORS, measures=MEASURES, errors=errors or {},
        form=form, measure_form=measure_form or {}, measure_errors=measure_errors or {}, totals=totals,
        avoided=services.avoided_co2(plan, totals), editable=editable,
        newer_report=services.newer_accepted(plan) if editable else None,
        can_progress=can_update_milestones(current_user, plan), actions=WORKFLOW.allowed_actions(current_user, plan),
        plan_files=db.session.scalars(select(PlanFile).where(PlanFile.plan_id == plan.id)
                                      .order_by(PlanFile.uploaded_at)).all(),
        purposes=FILE_PURPOSES, today=local_time.today(), measure_label=lambda kind: MEASURE_LABELS.get(kind, kind),
        purpose_label=lambda purpose: PURPOSE_LABELS.get(purpose, purpose),
        comment_action=comment[0] if comment else None, comment_text=comment[1] if comment else "",
        progress_of=progress[0] if progress else None, progress_form=progress[1] if progress else {}), status


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
def detail(plan_id):
    plan = owned_or_404(UpgradePlan, plan_id)
    if request.method == "GET":
        return _detail(plan)
    entered, errors = services.read_baseline(request.form)
    title = (request.form.get("title") or "").strip()
    if not title:
        errors["title"] = _("Give the plan a short title.")
    year_text = (request.form.get("baseline_year") or "").strip()
    if year_text and not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        errors["baseline_year"] = _("Enter a year such as 2024.")
    if errors:
        return _detail(plan, errors=errors, form=request.form, status=422)
    try:
        services.update(plan, title=title[:200], summary=(request.form.get("summary") or "").strip(),
                        baseline_year=int(year_text) if year_text else None, entered=entered,
                        expected_version=sent_version(request.form.get("version")), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _detail(db.session.get(UpgradePlan, plan_id), form=request.form, status=409)
    flash(_("Plan saved."), "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/baseline")
def take_baseline(plan_id):
    plan = owned_or_404(UpgradePlan, plan_id)
    try:
        year, kept = services.take_baseline(plan, expected_version=sent_version(request.form.get("version")),
                                            actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _detail(db.session.get(UpgradePlan, plan_id), status=409)
    message = _("Baseline taken from the accepted %(year)s report.", year=year)
    if kept:
        labels = "、".join(str(i.label) for i in INDICATORS if i.key in kept)
        message += " " + _("The figures you entered for %(indicators)s were kept: the report does not state them.",
                           indicators=labels)
    flash(message, "success")
    return redirect(url_for("plans.detail", plan_id=plan_id))


def _run(plan_id: int, change, success: str, anchor: str):
    """Runs one change to a plan in its own transaction, then shows the plan again."""
    plan = owned_or_404(UpgradePlan, plan_id)
    return run_then_redirect(lambda: change(plan), success, url_for("plans.detail", plan_id=plan_id, _anchor=anchor))


@bp.post("/plans/<int:plan_id>/measures")
def add_measure(plan_id):
    plan = owned_or_404(UpgradePlan, plan_id)
    values, errors = services.read_measure(request.form)
    if errors:
        return _detail(plan, measure_form=request.form, measure_errors=errors, status=422)
    return _run(plan_id, lambda p: services.add_measure(p, values, actor=current_user), _("Measure added."),
                "measures")


@bp.post("/plans/<int:plan_id>/measures/<int:measure_id>/delete")
def remove_measure(plan_id, measure_id):
    return _run(plan_id, lambda p: services.remove_measure(p, measure_id, actor=current_user),
                _("Measure removed."), "measures")


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name) or "")
    except ValueError:
        return None


@bp.post("/plans/<int:plan_id>/milestones")
def add_milestone(plan_id):
    owned_or_404(UpgradePlan, plan_id)
    title, responsible, due = (request.form.get("title") or "").strip(), (
        request.form.get("responsible") or "").strip(), _date("due_date")
    if not title or not responsible or due is None:
        flash(_("A milestone needs what is done, by when (a date) and who is responsible."), "error")
        return redirect(url_for("plans.detail", plan_id=plan_id, _anchor="milestones"))
    return _run(plan_id, lambda p: services.add_milestone(p, title[:200], due, responsible[:100],
                                                          actor=current_user), _("Milestone added."), "milestones")


@bp.post("/plans/<int:plan_id>/milestones/<int:milestone_id>")
def record_progress(plan_id, milestone_id):
    plan = owned_or_404(UpgradePlan, plan_id)
    upload = request.files.get("file")
    try:
        services.record_progress(plan, milestone_id, _date("done_on"), (request.form.get("note") or "").strip(),
                                 upload if upload is not None and upload.filename else None, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")  # the date and note typed stay in the form
        return _detail(db.session.get(UpgradePlan, plan_id), progress=(milestone_id, request.form), status=422)
    flash(_("Progress recorded."), "success")
    return redirect(url_for("plans.detail", plan_id=plan_id, _anchor="milestones"))


@bp.post("/plans/<int:plan_id>/files")
def attach(plan_id):
    upload = request.files.get("file")
    purpose = request.form.get("purpose") if request.form.get("purpose") in FILE_PURPOSES else "other"

    def change(plan):
        if not (can_edit(current_user, plan) or can_update_milestones(current_user, plan)):
            raise ServiceError(_("Files are attached while the plan is being written or carried out."))
        if upload is None or not upload.filename:
            raise ServiceError(_("Choose a file to upload."))
        services.attach(plan, purpose, upload.filename, upload.read(), actor=current_user)

    return _run(plan_id, change, _("File attached."), "files")


@bp.get("/plan-files/<int:plan_file_id>")
def download(plan_file_id):
    return files.send_stored(owned_or_404(PlanFile, plan_file_id))


@bp.post("/plans/<int:plan_id>/act")
def act(plan_id):
    plan = owned_or_404(UpgradePlan, plan_id)
    action = request.form.get("action", "")
    if action not in WORKFLOW.transitions:
        abort(400)
    comment = request.form.get("comment", "")
    try:
        services.act(plan, action, comment, expected_version=sent_version(request.form.get("version")),
                     actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")  # the comment typed is kept in the form
        return _detail(db.session.get(UpgradePlan, plan_id), comment=(action, comment), status=409)
    flash(_("The plan is now: %(status)s.", status=status_label(plan.status)), "success")
    return redirect(url_for("plans.detail", plan_id=plan_id, _anchor="timeline"))
