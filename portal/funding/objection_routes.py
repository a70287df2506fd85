"""The authority records how each objection to a public notice was resolved (from the application's page)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import owned_or_404, require
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import objections
from portal.funding.models import FundingApplication
from portal.funding.routes import _detail as application_page
from portal.locking import sent_version
from portal.public import published

bp = Blueprint("objections", __name__)


@bp.post("/funding/objections/<int:objection_id>/resolve")
def resolve(objection_id):
    found = owned_or_404(objections.Objection, objection_id)  # only the authority and its agency see objections
    require(objections.resolves_objections)
    application_id = found.application_id
    try:
        objections.resolve(found, request.form.get("outcome", ""), request.form.get("resolution", ""),
                           expected_version=sent_version(request.form.get("version")), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        typed = {"objection_id": objection_id, "outcome": request.form.get("outcome", ""),
                 "resolution": request.form.get("resolution", ""), "objection_error": err.message}
        return application_page(db.session.get(FundingApplication, application_id), typed=typed,
                                status=422 if err.field else 409)
    flash(_("Resolution recorded; it is published on the notice page."), "success")
    return redirect(url_for("funding.application", application_id=application_id, _anchor="objections"))


@bp.app_template_global()
def objections_for(application) -> list[objections.Objection]:
    """The objections the funding application page lists: only for the authority and its technical agency."""
    return objections.objections_of(application) if objections.reads_objections(current_user) else []


@bp.app_context_processor
def objection_limits():
    return {"objection_resolution_max": objections.MAX_RESOLUTION, "notice_published": published.is_published}


@bp.app_template_global()
def objection_outcome(status: str) -> str:
    return str(objections.OUTCOME_LABELS.get(status, status))
