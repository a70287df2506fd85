"""Excel for annual reports: the pre-filled template, the import with its preview, the accepted export."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import owned_or_404, require
from portal.errors import ServiceError
from portal.extensions import db
from portal.locale_format import moment
from portal.reports import excel, imports, services, workflow
from portal.reports.forms import ImportForm
from portal.reports.models import AnnualReport, ReportImport
from portal.reports.routes import can_view_report
from portal.templating import org_name, status_label

bp = Blueprint("report_excel", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str):
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/reports/<int:report_id>/template.xlsx")
def template(report_id):
    report = owned_or_404(AnnualReport, report_id)
    require(workflow.is_report_owner, report)
    content = excel.build_workbook(report.data or {}, site_name=report.site.name, year=report.year)
    return _xlsx(content, f"annual-report-{report.year}-{report.site_id}.xlsx")


@bp.post("/reports/<int:report_id>/import")
def upload(report_id):
    report = owned_or_404(AnnualReport, report_id)
    require(workflow.is_report_owner, report)
    form = ImportForm()
    if not form.validate():
        flash(_("Choose the filled-in Excel file to upload."), "error")
        return redirect(url_for("reports.detail", report_id=report.id))
    try:
        pending = imports.upload(report, form.file.data.filename, form.file.data.read(), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("reports.detail", report_id=report.id))
    return redirect(url_for("report_excel.preview", report_id=report.id, import_id=pending.id))


def _pending(report_id, import_id) -> ReportImport:
    pending = owned_or_404(ReportImport, import_id)
    if pending.report_id != report_id:
        abort(404)
    return pending


@bp.get("/reports/<int:report_id>/imports/<int:import_id>")
def preview(report_id, import_id):
    pending = _pending(report_id, import_id)
    result, changes = imports.preview(pending)
    return render_template("reports/import_preview.html", pending=pending, report=pending.report, result=result,
                           changes=changes, label_of=services.label_of, value_text=services.value_text)


@bp.post("/reports/<int:report_id>/imports/<int:import_id>")
def apply(report_id, import_id):
    pending = _pending(report_id, import_id)
    try:
        changed = imports.apply(pending, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("report_excel.preview", report_id=report_id, import_id=import_id))
    flash(_("Imported: %(count)d values changed.", count=changed), "success")
    return redirect(url_for("reports.detail", report_id=report_id))


@bp.get("/reports/<int:report_id>/export.xlsx")
def export(report_id):
    report = owned_or_404(AnnualReport, report_id)
    require(can_view_report, report)
    accepted = [v for v in report.versions if v.decision == "accepted"]
    if not accepted:
        abort(404)
    version = accepted[-1]
    org = report.site.organisation
    title_rows = [(_("Supplier"), org_name(org)), (_("Unified social credit code"), org.credit_code),
                  (_("Site"), report.site.name), (_("Reporting year"), str(report.year)),
                  (_("Status"), status_label("accepted")), (_("Version"), str(version.number)),
                  (_("Accepted"), moment(version.decided_at))]
    content = excel.export_workbook(version.data, title_rows=title_rows)
    return _xlsx(content, f"annual-report-{report.year}-{report.site_id}-v{version.number}.xlsx")
