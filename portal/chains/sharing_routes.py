"""The supplier's Sharing page: per buyer of its chains, which accepted reports and submitted assessments that
buyer sees, whether new ones are shared automatically, and whether plan and funding status are shown."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.access import is_org_admin, is_supplier, requires
from portal.assessment.models import Assessment
from portal.chains import consent
from portal.chains.forms import whole_number
from portal.chains.links import buyers_of
from portal.chains.models import ChainConsent, ReportShare
from portal.errors import ServiceError
from portal.extensions import db
from portal.orgs.forms import ConfirmForm
from portal.reports.models import AnnualReport

bp = Blueprint("chain_sharing", __name__, url_prefix="/supply-chain/sharing")


@bp.get("")
@requires(is_supplier)
def page():
    org = current_user.organisation
    reports = db.session.scalars(select(AnnualReport).where(AnnualReport.organisation_id == org.id,
                                                            AnnualReport.status == "accepted")
                                 .options(selectinload(AnnualReport.site))
                                 .order_by(AnnualReport.year.desc(), AnnualReport.id)).all()
    assessments = db.session.scalars(select(Assessment).where(Assessment.organisation_id == org.id,
                                                              Assessment.status == "submitted")
                                     .options(selectinload(Assessment.shares), selectinload(Assessment.benchmark))
                                     .order_by(Assessment.year.desc(), Assessment.id)).all()
    report_shares = {tuple(row) for row in db.session.execute(select(
        ReportShare.report_id, ReportShare.buyer_organisation_id).where(
        ReportShare.report_id.in_([r.id for r in reports] or [0])))}
    assessment_shares = {(a.id, s.buyer_organisation_id) for a in assessments for s in a.shares}
    choices = {c.buyer_organisation_id: c for c in db.session.scalars(select(ChainConsent).where(
        ChainConsent.supplier_organisation_id == org.id))}
    buyers = [(buyer, choices.get(buyer.id)) for buyer in buyers_of(org.id)]
    return render_template("chains/sharing.html", buyers=buyers, reports=reports, assessments=assessments,
                           report_shares=report_shares, assessment_shares=assessment_shares,
                           manage=is_org_admin(current_user), confirm_form=ConfirmForm())


def _ids(name: str) -> set[int]:
    return {number for number in map(whole_number, request.form.getlist(name)) if number is not None}


@bp.post("/<int:buyer_org_id>")
@requires(is_supplier)
def save(buyer_org_id):
    org = current_user.organisation
    buyer = next((b for b in buyers_of(org.id) if b.id == buyer_org_id), None)
    if buyer is None:
        abort(404)
    if not is_org_admin(current_user):
        abort(403)
    if not ConfirmForm().validate():
        abort(400)
    try:
        consent.set_choices(org, buyer, share_new=request.form.get("share_new") == "1",
                            share_progress=request.form.get("share_progress") == "1",
                            report_ids=_ids("report"), assessment_ids=_ids("assessment"),
                            actor=current_user)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash(_("Sharing with %(buyer)s saved.", buyer=buyer.name_zh), "success")
    return redirect(url_for("chain_sharing.page"))
