"""Suppliers' annual reports: create, fill section by section, attach evidence, submit, correct."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import files
from portal.access import is_platform_admin, is_supplier, owned_or_404, require, requires
from portal.errors import ServiceError
from portal.extensions import db
from portal.locale_format import moment
from portal.locking import sent_version
from portal.reports import derived, evidence, section_form, services, workflow
from portal.reports.forms import CorrectionForm, DecisionForm, EvidenceForm, NewReportForm
from portal.reports.models import AnnualReport, Evidence
from portal.reports.schema import SECTIONS, section
from portal.sites.services import sites_of

bp = Blueprint("reports", __name__)


def can_view_report(user, report) -> bool:
    # Platform admins read reports to support users; they never change them (the transition table).
    return workflow.is_report_owner(user, report) or workflow.is_reviewer(user, report) or is_platform_admin(user)


def _new_form():
    form = NewReportForm()
    form.site_id.choices = [(s.id, s.name) for s in sites_of(current_user.organisation_id)]
    return form


@bp.get("/reports")
@requires(is_supplier)
def index():
    return render_template("reports/index.html", reports=_own_reports(), form=_new_form())


def _own_reports():
    return db.session.scalars(select(AnnualReport).where(AnnualReport.organisation_id == current_user.organisation_id)
                              .order_by(AnnualReport.year.desc(), AnnualReport.id)).all()


@bp.post("/reports")
@requires(is_supplier)
def create():
    form = _new_form()
    if form.validate():
        site = next((s for s in sites_of(current_user.organisation_id) if s.id == form.site_id.data), None)
        try:
            report = services.create_report(site, form.year.data, actor=current_user,
                                            from_last_year=form.from_last_year.data)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            return redirect(url_for("reports.detail", report_id=report.id))
    return render_template("reports/index.html", reports=_own_reports(), form=form), 422


@bp.get("/reports/<int:report_id>")
def detail(report_id):
    report = owned_or_404(AnnualReport, report_id, options=services.REPORT_PAGE)
    issues = services.check(report)
    previous = report.versions[-2] if len(report.versions) > 1 else None
    actions = workflow.allowed_actions(current_user, report)
    changes = (services.changes_between(previous.data if previous else None, report.latest_version.data)
               if report.latest_version else [])
    return render_template(
        "reports/detail.html", report=report, issues=issues, sections=SECTIONS,
        section_status=services.section_status(report, issues), actions=actions,
        can_edit=workflow.can_edit(current_user, report), ghg=derived.greenhouse_gas(report.data, report.year),
        comments=services.comments_by_path(report), changes=changes, label_of=services.label_of,
        value_text=services.value_text,
        correction_form=CorrectionForm() if "correct" in actions else None,
        blocking=services.blocking_issues(report, issues))


def _section_page(report, sec, status=200, conflict=False, typed=None):
    """The section form; after a refused save it shows what the user typed (`typed`), not the saved values."""
    data = dict(report.data or {})
    if typed is not None:
        data[sec.key] = typed
    issues = services.check(report)
    by_path: dict[str, list] = {}
    for issue in issues:
        by_path.setdefault(issue.path, []).append(issue)
    return render_template(
        "reports/section.html", report=report, section=sec, sections=SECTIONS, issues=by_path,
        section_status=services.section_status(report, issues), can_edit=workflow.can_edit(current_user, report),
        comments=services.comments_by_path(report), evidence=evidence.evidence_of(report),
        evidence_form=EvidenceForm(), conflict=conflict, form_helpers=section_form, data=data), status


@bp.route("/reports/<int:report_id>/sections/<section_key>", methods=["GET", "POST"])
def edit_section(report_id, section_key):
    report = owned_or_404(AnnualReport, report_id)
    require(can_view_report, report)
    sec = section(section_key)
    if sec is None:
        return redirect(url_for("reports.detail", report_id=report.id))
    if request.method == "GET":
        return _section_page(report, sec)
    values, explanations = section_form.read(request.form, sec)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        services.save_section(report, sec.key, values, explanations,
                              expected_version=sent_version(request.form.get("version")), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        if wants_json:
            return jsonify(error=str(err.message)), 409
        flash(err.message, "error")
        return _section_page(report, sec, status=409, conflict=True, typed=values)
    if wants_json:
        return jsonify(saved_at=moment(report.updated_at), version=report.version_id)
    flash(_("Saved %(when)s.", when=moment(report.updated_at)), "success")
    target = request.form.get("next_section")
    if target and section(target):
        return redirect(url_for("reports.edit_section", report_id=report.id, section_key=target))
    return redirect(url_for("reports.edit_section", report_id=report.id, section_key=sec.key))


def _transition(report_id, action):
    report = owned_or_404(AnnualReport, report_id)
    require(can_view_report, report)
    try:
        action(report)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.post("/reports/<int:report_id>/submit")
def submit(report_id):
    def act(report):
        services.submit(report, actor=current_user)
        flash(_("Report submitted. The technical agency will review it."), "success")

    return _transition(report_id, act)


@bp.post("/reports/<int:report_id>/correct")
def correct(report_id):
    form = CorrectionForm()

    def act(report):
        services.correct(report, form.reason.data if form.validate() else "", actor=current_user)
        flash(_("The report is open for correction. Submit it again when done."), "success")

    return _transition(report_id, act)


@bp.post("/reports/<int:report_id>/evidence")
def attach_evidence(report_id):
    report = owned_or_404(AnnualReport, report_id)
    require(workflow.can_edit, report)
    form = EvidenceForm()
    field_path = form.field_path.data or ""
    sec = section(field_path.split(".", 1)[0])
    if sec is None:
        return redirect(url_for("reports.detail", report_id=report.id))
    if form.validate():
        try:
            evidence.attach(report, field_path, form.file.data.filename, form.file.data.read(), actor=current_user)
            db.session.commit()
            flash(_("Evidence attached."), "success")
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "error")
    else:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("reports.edit_section", report_id=report.id, section_key=sec.key, _anchor="evidence"))


@bp.get("/evidence/<int:evidence_id>")
def download_evidence(evidence_id):
    return files.send_stored(owned_or_404(Evidence, evidence_id))


@bp.post("/reports/<int:report_id>/decision")
def decide(report_id):
    form = DecisionForm()

    def act(report):
        if not form.validate():
            raise ServiceError(_("The form expired. Please submit it again."))
        if form.decision.data == "accept":
            services.accept(report, form.note.data, actor=current_user)
            flash(_("Report accepted."), "success")
        else:
            comments = {key.removeprefix("comment__"): value for key, value in request.form.items()
                        if key.startswith("comment__")}
            services.return_report(report, comments, form.note.data, actor=current_user)
            flash(_("Report returned to the supplier with your comments."), "success")

    return _transition(report_id, act)
