"""Pages for the steps after the public notice (agreement, payments, acceptance), the decision letter and the
acceptance certificate as PDFs, and the authority's Excel export of the queue. Each change is one transaction; on an
error the application page comes back with what was typed."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal import files
from portal.access import owned_or_404, requires
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import closing, exports
from portal.funding.closing_models import AcceptanceFile, Agreement
from portal.funding.models import FundingApplication
from portal.funding.routes import PROJECT_TYPE_LABELS, _detail, queue_statement
from portal.funding.workflow import is_authority
from portal.i18n import current_locale
from portal.local_time import today as _today
from portal.locking import sent_version
from portal.numbers import to_decimal
from portal.plans.models import UpgradePlan
from portal.templating import status_label

bp = Blueprint("funding_closing", __name__)


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat((request.form.get(name) or "").strip())
    except ValueError:
        return None


def _typed(step: str) -> dict:
    """What was typed into the form of `step`; the page shows it read-only when that form is no longer offered."""
    return {**request.form, "_step": step}


def _change(application_id: int, change, success: str, anchor: str, step: str):
    """Runs a change to the application; on a refusal shows the page again with the typed values beside the
    message (422 for a field, 409 for a conflict or a step no longer open)."""
    found = owned_or_404(FundingApplication, application_id)
    try:
        change(found)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        fresh = db.session.get(FundingApplication, application_id)
        if err.field:
            return _detail(fresh, closing_form=_typed(step), errors={err.field: err.message}, status=422)
        flash(err.message, "error")
        return _detail(fresh, closing_form=_typed(step), status=409)
    flash(success, "success")
    return redirect(url_for("funding.application", application_id=application_id, _anchor=anchor))


@bp.post("/funding/applications/<int:application_id>/agreement")
def record_agreement(application_id):
    upload = request.files.get("agreement_file")

    def change(application):
        if upload is None or not upload.filename:
            raise ServiceError(_("Choose the signed agreement (PDF)."), field="agreement_file")
        closing.record_agreement(application, request.form.get("agreement_number", ""), _day("signed_on"),
                                 upload.filename, upload.read(),
                                 expected_version=sent_version(request.form.get("version")), actor=current_user,
                                 today=_today())

    return _change(application_id, change, _("Funding agreement recorded."), "closing",
                   "record_agreement")


def _papers_or_404(item, reads=closing.reads_papers):
    """The agreement and the letters: for the applicant, the authority and platform admins only (experts see the
    application while they review it, not the papers signed after the decision); the acceptance evidence also for
    the technical agency, which organises the acceptance."""
    application = item if isinstance(item, FundingApplication) else item.application
    if not reads(current_user, application):
        abort(404)
    return item


@bp.get("/funding/agreements/<int:agreement_id>/file")
def agreement_file(agreement_id):
    return files.send_stored(_papers_or_404(owned_or_404(Agreement, agreement_id)))


@bp.post("/funding/applications/<int:application_id>/disbursements")
def disburse(application_id):
    raw = (request.form.get("amount") or "").strip()

    def change(application):
        amount = to_decimal(raw) if raw else None
        if raw and amount is None:
            raise ServiceError(_("Enter the amount paid in yuan, for example 750,000."), field="amount")
        closing.disburse(application, amount, _day("paid_on"), request.form.get("batch", ""),
                         request.form.get("note", ""), expected_version=sent_version(request.form.get("version")),
                         actor=current_user, today=_today())

    return _change(application_id, change, _("Payment recorded."), "closing", "disburse")


@bp.post("/funding/applications/<int:application_id>/acceptance-files")
def attach_evidence(application_id):
    upload = request.files.get("file")

    def change(application):
        if upload is None or not upload.filename:
            raise ServiceError(_("Choose a file to upload."), field="evidence_file")
        closing.attach_evidence(application, upload.filename, upload.read(), actor=current_user)

    return _change(application_id, change, _("File attached."), "acceptance", "attach_evidence")


@bp.get("/funding/acceptance-files/<int:acceptance_file_id>")
def acceptance_file(acceptance_file_id):
    return files.send_stored(_papers_or_404(owned_or_404(AcceptanceFile, acceptance_file_id), closing.reads_evidence))


@bp.post("/funding/applications/<int:application_id>/acceptance")
def start_acceptance(application_id):
    typed, errors = closing.read_reductions(request.form)
    if errors:
        found = owned_or_404(FundingApplication, application_id)
        return _detail(found, closing_form=_typed("start_acceptance"), errors=errors, status=422)
    return _change(application_id, lambda application: closing.start_acceptance(
        application, request.form.get("acceptance_summary", ""), typed,
        expected_version=sent_version(request.form.get("version")), actor=current_user, today=_today()),
        _("Acceptance report sent: the technical agency checks it and gives the verdict."), "acceptance",
        "start_acceptance")


@bp.post("/funding/applications/<int:application_id>/acceptance/verdict")
def close(application_id):
    return _change(application_id, lambda application: closing.close(
        application, request.form.get("verdict", ""), request.form.get("comment", ""),
        expected_version=sent_version(request.form.get("version")), actor=current_user, today=_today()),
        _("The application is now: %(status)s.", status=status_label("closed")), "timeline", "close")


@bp.get("/funding/applications/<int:application_id>/decision.pdf")
def decision_letter(application_id):
    found = _papers_or_404(owned_or_404(FundingApplication, application_id))
    if not exports.has_decision_letter(found):
        abort(404)
    return send_file(BytesIO(exports.decision_letter_pdf(found, current_locale())), mimetype="application/pdf",
                     as_attachment=True, download_name=f"decision-{found.reference}.pdf")


@bp.get("/funding/applications/<int:application_id>/acceptance-certificate.pdf")
def acceptance_certificate(application_id):
    found = _papers_or_404(owned_or_404(FundingApplication, application_id))
    if not closing.certificate_ready(found):
        abort(404)
    return send_file(BytesIO(exports.acceptance_certificate_pdf(found, current_locale())),
                     mimetype="application/pdf", as_attachment=True,
                     download_name=f"acceptance-{found.reference}.pdf")


@bp.get("/funding/queue.xlsx")
@requires(is_authority)  # amounts and payments of every supplier: the authority's export, not the agency's
def queue_xlsx():
    found = db.session.scalars(queue_statement(selectinload(FundingApplication.events),
                                               selectinload(FundingApplication.disbursements),
                                               selectinload(FundingApplication.plan).selectinload(UpgradePlan.measures)
                                               )).all()
    content = exports.queue_workbook(found, PROJECT_TYPE_LABELS)
    return send_file(BytesIO(content), as_attachment=True, download_name=f"funding-applications-{_today()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
