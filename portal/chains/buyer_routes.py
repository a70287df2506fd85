"""The buyer's supplier dashboard: its chain by tier with what each supplier shares, filters, ranking, an Excel
export, and a page per supplier with its history (only what that supplier shares with this buyer)."""

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.access import is_buyer, requires
from portal.assessment.models import Assessment
from portal.chains import consent, dashboard, figures
from portal.chains.links import link_of
from portal.database import utcnow
from portal.extensions import db
from portal.funding.models import FundingApplication
from portal.i18n import current_locale
from portal.orgs.districts import district_choices, district_name
from portal.orgs.models import Organisation
from portal.plans.catalogue import INDICATORS
from portal.plans.models import UpgradePlan
from portal.records.models import CreditRating, PenaltyRecord
from portal.records.reading import LEVEL_LABELS, STATUS_LABELS
from portal.reports.excel_template import HEADER_FILL, HEADER_FONT, put_cell, workbook_bytes
from portal.templating import status_label

bp = Blueprint("buyer_suppliers", __name__, url_prefix="/buyer/suppliers")
FILTERS = ("tier", "grade", "rating", "district", "sort")
SORT_LABELS = {"name": _l("name"), "tier": _l("tier"), "grade": _l("grade"), "score": _l("verified score"),
               "completeness": _l("data completeness"), "violations": _l("open violations"),
               "rating": _l("credit rating")}


@bp.context_processor
def labels():
    return {"level_labels": LEVEL_LABELS, "penalty_status_labels": STATUS_LABELS, "sort_labels": SORT_LABELS}


def _rows():
    today = utcnow().date()
    args = {name: request.args.get(name, "") for name in FILTERS}
    rows = dashboard.rows_for(current_user.organisation_id, current_locale())
    grades = sorted({r.grade for r in rows if r.grade})
    return dashboard.filtered(rows, **{k: v for k, v in args.items()}, today=today), rows, grades, args, today


@bp.get("")
@requires(is_buyer)
def index():
    shown, rows, grades, args, today = _rows()
    return render_template("chains/suppliers.html", rows=shown, total=len(rows), grades=grades, args=args,
                           today=today, sorts=dashboard.SORTS, districts=district_choices(),
                           expected=dashboard.EXPECTED_YEARS)


@bp.get("/export.xlsx")
@requires(is_buyer)
def export():
    shown, _rows_all, _grades, _args, today = _rows()
    locale = current_locale()
    wb = Workbook()
    ws = wb.active
    ws.title = _("Suppliers")
    headings = [_("Supplier"), _("Unified social credit code"), _("Tier"), _("Invited by"), _("District"),
                _("Grade"), _("Self-assessed score"), _("Verified score"), _("Years of accepted data shared"),
                _("Latest year shared"), _("Credit rating"), _("Open violations"), _("Upgrade plan"), _("Funding")]
    for column, title in enumerate(headings, start=1):
        put_cell(ws, 1, column, title, font=HEADER_FONT, fill=HEADER_FILL)
    for number, row in enumerate(shown, start=2):
        values = [row.org.display_name(locale), row.org.credit_code, row.tier, row.parent_name or "",
                  district_name(row.org.district) if row.org.district else "",
                  row.grade or "", row.self_score, row.verified_score,
                  f"{row.completeness(today)}/{dashboard.EXPECTED_YEARS}", row.latest_report_year,
                  f"{row.rating.year} {LEVEL_LABELS[row.rating.level]}" if row.rating else "", row.open_violations,
                  status_label(row.plan_status) if row.plan_status else "",
                  status_label(row.funding_status) if row.funding_status else ""]
        for column, value in enumerate(values, start=1):
            put_cell(ws, number, column, value, text=column == 2)
    return send_file(io.BytesIO(workbook_bytes(wb)),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name="suppliers.xlsx")


@bp.get("/<int:supplier_org_id>")
def supplier(supplier_org_id):
    """Only a supplier in the signed-in buyer's chain is found; for anyone else the page does not exist."""
    if not is_buyer(current_user):
        abort(404)
    buyer_id = current_user.organisation_id
    link = link_of(buyer_id, supplier_org_id) if buyer_id is not None else None
    if link is None:
        abort(404)
    org = db.session.get(Organisation, supplier_org_id)
    assessments = db.session.scalars(consent.shared_assessments(buyer_id)
                                     .where(Assessment.organisation_id == org.id)
                                     .options(selectinload(Assessment.verification))
                                     .order_by(Assessment.year.desc())).all()
    reports = figures.shared_report_figures(buyer_id, org.id)
    ratings = db.session.scalars(select(CreditRating).where(CreditRating.credit_code == org.credit_code)
                                 .order_by(CreditRating.year.desc())).all()
    penalties = db.session.scalars(select(PenaltyRecord).where(PenaltyRecord.credit_code == org.credit_code)
                                   .order_by(PenaltyRecord.decided_on.desc())).all()
    choice = consent.consent_of(org.id, buyer_id)
    plans, applications = [], []
    if choice is not None and choice.share_progress:
        plans = db.session.scalars(select(UpgradePlan).where(UpgradePlan.organisation_id == org.id,
                                                             UpgradePlan.status != "draft")
                                   .order_by(UpgradePlan.created_at.desc())).all()
        applications = db.session.scalars(select(FundingApplication).where(FundingApplication.organisation_id ==
                                                                           org.id,
                                                                           FundingApplication.status != "draft")
                                          .order_by(FundingApplication.created_at.desc())).all()
    return render_template("chains/supplier.html", org=org, link=link, assessments=assessments, reports=reports,
                           ratings=ratings, penalties=penalties, plans=plans, applications=applications,
                           progress_shared=bool(choice and choice.share_progress), indicators=[
                               i for i in INDICATORS if i.key != "ghg" and any(r.figures.get(i.key) is not None
                                                                               for r in reports)])
