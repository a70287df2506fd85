"""Funding programmes for platform admins: list, define and change a programme (optimistic locking)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.access import is_platform_admin, requires
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import programmes
from portal.funding.amounts import COST_PARTS
from portal.funding.models import PROJECT_TYPES, FundingProgramme
from portal.funding.routes import COST_LABELS, PROJECT_TYPE_LABELS
from portal.funding.rules import LEVEL_LABELS, RULE_KEYS, RULE_LABELS
from portal.funding.services import committed_sum
from portal.locking import sent_version
from portal.records.models import LEVELS

bp = Blueprint("funding_admin", __name__)


@bp.get("/admin/funding")
@requires(is_platform_admin)
def index():
    found = db.session.scalars(select(FundingProgramme).order_by(FundingProgramme.opens_on.desc())).all()
    return render_template("funding/admin_index.html", programmes=found,
                           committed={p.id: committed_sum(p.id) for p in found})


def _form(programme, values, errors, status=200):
    return render_template("funding/admin_form.html", programme=programme, values=values, errors=errors,
                           rule_keys=RULE_KEYS, rule_labels=RULE_LABELS, levels=LEVELS, level_labels=LEVEL_LABELS,
                           cost_parts=COST_PARTS, cost_labels=COST_LABELS, project_types=PROJECT_TYPES,
                           project_type_labels=PROJECT_TYPE_LABELS), status


@bp.route("/admin/funding/new", methods=["GET", "POST"])
@requires(is_platform_admin)
def new():
    if request.method == "GET":
        return _form(None, programmes.form_values(None), {})
    values, errors = programmes.read_form(request.form)
    if errors:
        return _form(None, request.form, errors, 422)
    try:
        programme = programmes.create(values, actor=current_user)
    except ServiceError as err:
        return _form(None, request.form, {err.field: err.message}, 422)
    db.session.commit()
    flash(_("Programme saved."), "success")
    return redirect(url_for("funding_admin.edit", programme_id=programme.id))


@bp.route("/admin/funding/<int:programme_id>", methods=["GET", "POST"])
@requires(is_platform_admin)
def edit(programme_id):
    programme = db.get_or_404(FundingProgramme, programme_id)
    if request.method == "GET":
        return _form(programme, programmes.form_values(programme), {})
    values, errors = programmes.read_form(request.form)
    if errors:
        return _form(programme, request.form, errors, 422)
    try:
        programmes.update(programme, values, expected_version=sent_version(request.form.get("version")),
                          actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        fresh = db.session.get(FundingProgramme, programme_id)
        if err.field:
            return _form(fresh, request.form, {err.field: err.message}, 422)
        flash(err.message, "error")
        return _form(fresh, request.form, {}, 409)
    flash(_("Programme saved."), "success")
    return redirect(url_for("funding_admin.edit", programme_id=programme_id))
