"""Admins keep the guideline documents, rebuild the index with progress, and read what users disliked or
the guidelines could not answer; the technical agency sees the same lists to follow questions up."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.access import is_org_member, is_platform_admin, requires
from portal.assistant import documents, rebuild, services
from portal.assistant.forms import DocumentUploadForm
from portal.assistant.models import GuidelineFile, IndexBuild
from portal.errors import ServiceError
from portal.extensions import db
from portal.orgs.forms import ConfirmForm
from portal.orgs.models import OrgKind

bp = Blueprint("guideline_admin", __name__, url_prefix="/admin/guidelines")


def can_follow_up_questions(user) -> bool:
    return is_platform_admin(user) or (is_org_member(user) and user.org_kind == OrgKind.AGENCY)


def _file_or_404(file_id: int) -> GuidelineFile:
    return db.first_or_404(select(GuidelineFile).where(GuidelineFile.id == file_id, GuidelineFile.active.is_(True)))


def _documents_page(form, status=200):
    return render_template("assistant/admin_documents.html", documents=documents.list_documents(), form=form,
                           confirm_form=ConfirmForm(), build=rebuild.latest_build(),
                           build_message=rebuild.shown_message), status


@bp.get("")
@requires(is_platform_admin)
def index():
    return _documents_page(DocumentUploadForm())


def _uploaded_bytes(form) -> bytes:
    return form.file.data.read()


@bp.post("")
@requires(is_platform_admin)
def upload():
    form = DocumentUploadForm()
    if form.validate():
        try:
            documents.add_document(form.file.data.filename, _uploaded_bytes(form), actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            flash(_("Document uploaded. Rebuild the index so that the assistant uses it."), "success")
            return redirect(url_for("guideline_admin.index"))
    return _documents_page(form, 422)


@bp.post("/<int:file_id>/replace")
@requires(is_platform_admin)
def replace(file_id):
    document = _file_or_404(file_id)
    form = DocumentUploadForm()
    if form.validate():
        try:
            documents.replace_document(document, _uploaded_bytes(form), actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            flash(f"{document.filename}: {err.message}", "error")
        else:
            flash(_("%(name)s replaced. Rebuild the index so that the assistant uses it.", name=document.filename),
                  "success")
    else:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("guideline_admin.index"))


@bp.post("/<int:file_id>/delete")
@requires(is_platform_admin)
def delete(file_id):
    document = _file_or_404(file_id)
    if ConfirmForm().validate():
        documents.delete_document(document, actor=current_user)
        db.session.commit()
        flash(_("%(name)s deleted. Rebuild the index so that the assistant stops using it.",
                name=document.filename), "info")
    return redirect(url_for("guideline_admin.index"))


@bp.post("/rebuild")
@requires(is_platform_admin)
def start_rebuild():
    if not ConfirmForm().validate():
        return redirect(url_for("guideline_admin.index"))
    try:
        build = rebuild.start_rebuild(actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "info")
        return redirect(url_for("guideline_admin.index"))
    rebuild.launch(build.id)
    return redirect(url_for("guideline_admin.build_progress", build_id=build.id))


@bp.get("/builds/<int:build_id>")
@requires(is_platform_admin)
def build_progress(build_id):
    build = db.get_or_404(IndexBuild, build_id)
    if request.args.get("format") == "json":
        return {"status": build.status, "percent": build.percent, "message": rebuild.shown_message(build)}
    return render_template("assistant/admin_build.html", build=build, message=rebuild.shown_message(build))


@bp.get("/questions")
@requires(can_follow_up_questions)
def questions():
    return render_template("assistant/admin_questions.html", disliked=services.disliked(),
                           unanswered=services.unanswered(), expert=services.expert_requests())
