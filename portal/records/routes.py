"""External records: platform admins import them; an organisation sees its own under its profile; the authority
and its technical agency see all and mark penalties rectified."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import files
from portal.access import is_platform_admin, owned_or_404, require, requires
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import sent_version
from portal.orgs.models import Organisation
from portal.pagination import paginate
from portal.records import imports, services
from portal.records.forms import ExplanationForm, RecordFileForm, RectifiedForm
from portal.records.models import PenaltyRecord, RecordImport, RectificationEvidence, reviews_records
from portal.records.reading import KINDS, LEVEL_LABELS, STATUS_LABELS

bp = Blueprint("records", __name__)
REPORT_ROWS = 200  # rows listed per part of an import report; the counts are always complete


def sees_all_records(user) -> bool:
    return is_platform_admin(user) or reviews_records(user)


@bp.context_processor
def labels():
    return {"level_labels": LEVEL_LABELS, "penalty_status_labels": STATUS_LABELS}


@bp.get("/records/imports")
@requires(is_platform_admin)
def imports_page():
    return _imports_page(RecordFileForm())


def _imports_page(form, status=200):
    recent = db.session.scalars(select(RecordImport).order_by(RecordImport.id.desc()).limit(20)).all()
    return render_template("records/imports.html", form=form, recent=recent, columns=KINDS), status


@bp.post("/records/imports")
@requires(is_platform_admin)
def upload():
    form = RecordFileForm()
    if not form.validate():
        return _imports_page(form, 422)
    try:
        pending = imports.upload(form.file.data.filename, form.file.data.read(), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        err.apply_to(form)
        return _imports_page(form, 422)
    return redirect(url_for("records.import_report", record_import_id=pending.id))


@bp.get("/records/imports/<int:record_import_id>")
def import_report(record_import_id):
    pending = owned_or_404(RecordImport, record_import_id)
    return render_template("records/import_report.html", pending=pending, report=imports.preview(pending),
                           limit=REPORT_ROWS)


@bp.post("/records/imports/<int:record_import_id>")
def apply_import(record_import_id):
    pending = owned_or_404(RecordImport, record_import_id)
    try:
        report = imports.apply(pending, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("records.import_report", record_import_id=pending.id))
    counts = report.counts()
    flash(_("Imported: %(created)d new records, %(updated)d updated, %(unchanged)d unchanged, %(invalid)d invalid "
            "rows left out.", **{k: counts[k] for k in ("created", "updated", "unchanged", "invalid")}), "success")
    return redirect(url_for("records.import_report", record_import_id=pending.id))


def _organisation(org_id: int) -> Organisation:
    """One's own organisation; any organisation for the authority, its agency and platform admins."""
    if not sees_all_records(current_user):
        return owned_or_404(Organisation, org_id)
    return db.session.scalars(select(Organisation).where(Organisation.id == org_id)).first() or abort(404)


@bp.get("/organisations/<int:org_id>/records")
def organisation_records(org_id):
    org = _organisation(org_id)
    ratings, penalties = services.records_of(org)
    return render_template("records/organisation.html", org=org, ratings=ratings, penalties=penalties)


@bp.get("/records/penalties")
@requires(sees_all_records)
def penalties():
    show = request.args.get("show") if request.args.get("show") in ("open", "explained", "all") else "open"
    query = (request.args.get("q") or "").strip()[:40]
    page = paginate(services.search(services.penalties_for_review(show), query))
    return render_template("records/penalties.html", page=page, show=show, query=query)


def _penalty_page(penalty, explanation_form=None, rectified_form=None, status=200):
    if rectified_form is None:
        rectified_form = RectifiedForm(formdata=None, version_id=penalty.version_id)
    return render_template("records/penalty.html", penalty=penalty,
                           explanation_form=explanation_form or ExplanationForm(formdata=None),
                           rectified_form=rectified_form,
                           can_explain=services.can_explain(current_user, penalty) and not penalty.is_rectified,
                           can_mark=services.can_mark_rectified(current_user, penalty) and not penalty.is_rectified
                           ), status


@bp.get("/records/penalties/<int:penalty_id>")
def penalty(penalty_id):
    return _penalty_page(owned_or_404(PenaltyRecord, penalty_id))


@bp.post("/records/penalties/<int:penalty_id>/explanations")
def explain(penalty_id):
    record = owned_or_404(PenaltyRecord, penalty_id)
    require(services.can_explain, record)
    form = ExplanationForm()
    if not form.validate():
        return _penalty_page(record, explanation_form=form, status=422)
    uploads = [(upload.filename, upload.read()) for upload in form.files.data or [] if upload and upload.filename]
    try:
        services.explain(record, form.text.data, uploads, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        err.apply_to(form)
        return _penalty_page(record, explanation_form=form, status=422)
    flash(_("Your explanation has been sent to the reviewers."), "success")
    return redirect(url_for("records.penalty", penalty_id=record.id))


@bp.post("/records/penalties/<int:penalty_id>/rectified")
def mark_rectified(penalty_id):
    record = owned_or_404(PenaltyRecord, penalty_id)
    require(services.can_mark_rectified, record)
    form = RectifiedForm()
    if not form.validate():
        return _penalty_page(record, rectified_form=form, status=422)
    try:
        services.mark_rectified(record, form.note.data, expected_version=sent_version(form.version_id.data),
                                actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        err.apply_to(form)
        return _penalty_page(record, rectified_form=form, status=409)
    flash(_("Marked rectified."), "success")
    return redirect(url_for("records.penalty", penalty_id=record.id))


@bp.get("/records/evidence/<int:evidence_file_id>")
def download_evidence(evidence_file_id):
    return files.send_stored(owned_or_404(RectificationEvidence, evidence_file_id))
