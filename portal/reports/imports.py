"""Importing a filled-in Excel template: upload → preview of every problem and change → import on confirm,
all or nothing. A file with problems changes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.reports import excel, services, workflow
from portal.reports.models import AnnualReport, ReportImport

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _path(sha256: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "imports" / sha256


def upload(report: AnnualReport, filename: str, content: bytes, *, actor) -> ReportImport:
    if not workflow.can_edit(actor, report):
        raise ServiceError(_l("This report is not open for editing."), field="file")
    if not content:
        raise ServiceError(_l("The file is empty."), field="file")
    if len(content) > MAX_IMPORT_BYTES:
        raise ServiceError(_l("The file is larger than 5 MB. Remove pictures and unused sheets, then upload it "
                              "again."), field="file")
    digest = hashlib.sha256(content).hexdigest()
    path = _path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    pending = ReportImport(report_id=report.id, user_id=actor.id, filename=Path(filename or "report.xlsx").name[:255],
                           sha256=digest, report_version=report.version_id)
    db.session.add(pending)
    return pending


def preview(pending: ReportImport) -> tuple[excel.ImportResult, list]:
    """What the file holds: its problems, and the changes importing it would make to the draft."""
    try:
        result = excel.read_workbook(_path(pending.sha256).read_bytes(), max_bytes=MAX_IMPORT_BYTES)
    except FileNotFoundError:
        result = excel.ImportResult(problems=[excel.Problem("", None, None, _l(
            "The uploaded file is no longer available. Please upload it again."))])
    merged = {**(pending.report.data or {}), **result.data}
    # A cell (or row, or table) with a problem is left out of the file's data: it is not imported, so it is no
    # change either, although the merged section no longer holds it.
    unread = {p.field_path for p in result.problems if p.field_path}
    return result, [change for change in services.changes_between(pending.report.data or {}, merged)
                    if not any(change[0] == path or change[0].startswith(path + ".") for path in unread)]


def apply(pending: ReportImport, *, actor) -> int:
    """Puts every section of the file into the draft in one go; returns how many values changed."""
    report = pending.report
    if pending.applied_at is not None:
        raise ServiceError(_l("This file has already been imported."), code="applied")
    if not workflow.can_edit(actor, report):
        raise ServiceError(_l("This report is not open for editing."), code="locked")
    if report.version_id != pending.report_version:
        raise ConflictError(_l("The report was changed after this file was uploaded. Upload the file again to "
                               "see what it would change now."), code="conflict")
    result, changes = preview(pending)
    if result.problems:
        raise ServiceError(_l("The file has problems, so nothing was imported. Correct them and upload it again."),
                           code="problems")
    for section_key, values in result.data.items():
        services.save_section(report, section_key, values, {}, expected_version=None, actor=actor)
    pending.applied_at = utcnow()
    record_event("report.imported", report, actor=actor, summary={"file": pending.filename, "changes": len(changes)})
    return len(changes)
