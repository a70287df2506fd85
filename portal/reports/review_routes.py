"""The technical agency's side: a queue of submitted reports and the review page with per-field comments."""

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only

from portal.access import owned_or_404, require, requires
from portal.database import utcnow
from portal.orgs.models import Organisation
from portal.pagination import paginate
from portal.reports import derived, evidence, services, workflow
from portal.reports.forms import DecisionForm
from portal.reports.models import AnnualReport
from portal.reports.schema import SECTIONS
from portal.sites.models import Site

bp = Blueprint("review", __name__)
QUEUE_STATUSES = ("submitted", "returned", "accepted")


def _whole_days(text: str) -> int | None:
    # ASCII digits only ("²".isdigit() is True and int() refuses it), few enough for a date the database holds.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 5 else None


@bp.get("/review/reports")
@requires(workflow.is_reviewer)
def queue():
    filters = {key: (request.args.get(key) or "").strip() for key in ("status", "district", "industry", "min_days")}
    min_days = _whole_days(filters["min_days"])
    not_understood = []  # (filter, value) the page names instead of silently showing the list without it
    if filters["status"] not in ("", *QUEUE_STATUSES):
        not_understood.append((_("Status"), filters["status"]))
    if filters["min_days"] and min_days is None:
        not_understood.append((_("Waiting at least (days)"), filters["min_days"]))
    status = filters["status"] if filters["status"] in QUEUE_STATUSES else "submitted"
    # Load only what a row shows: the report data and explanations are large JSON, and every other column is
    # work (decoding, time zones) on each of the fifty rows.
    stmt = (select(AnnualReport).where(AnnualReport.status == status)
            .options(load_only(AnnualReport.year, AnnualReport.status, AnnualReport.submitted_at),
                     joinedload(AnnualReport.site).load_only(Site.name, Site.district)
                     .joinedload(Site.organisation).load_only(Organisation.name_zh, Organisation.name_en))
            .order_by(AnnualReport.submitted_at.asc().nulls_last(), AnnualReport.id))
    if filters["district"]:
        stmt = stmt.where(AnnualReport.site.has(Site.district == filters["district"]))
    if filters["industry"]:
        stmt = stmt.where(AnnualReport.site.has(Site.organisation.has(
            Organisation.industry_code.startswith(filters["industry"].upper()))))
    if min_days is not None:
        stmt = stmt.where(AnnualReport.submitted_at <= utcnow() - timedelta(days=min_days))
    return render_template("reports/queue.html", page=paginate(stmt), filters={**filters, "status": status},
                           days_waiting=services.days_waiting, statuses=QUEUE_STATUSES, not_understood=not_understood)


@bp.get("/reports/<int:report_id>/review")
def review_report(report_id):
    report = owned_or_404(AnnualReport, report_id, options=services.REPORT_PAGE)
    require(workflow.is_reviewer, report)
    issues = services.check(report)
    previous = report.versions[-2] if len(report.versions) > 1 else None
    version = report.latest_version
    returned = services.last_return(report)
    earlier = services.comments_by_path(report, returned) if returned else {}
    values, earlier, unplaced = services.review_rows(version.data if version else {}, earlier,
                                                     returned.data if returned else None)
    actions = workflow.allowed_actions(current_user, report)
    return render_template(
        "reports/review.html", report=report, sections=SECTIONS, values=values, issues=issues,
        explanations=(version.explanations if version else {}) or {},
        form=DecisionForm() if actions else None,  # the decision form is shown only when a decision is open
        actions=actions, ghg=derived.greenhouse_gas(report.data, report.year),
        changes=services.changes_between(previous.data if previous else None, version.data) if previous else [],
        label_of=services.label_of, value_text=services.value_text, evidence=evidence.evidence_of(report),
        returned=returned, earlier=earlier, unplaced=unplaced)
