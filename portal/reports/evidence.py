"""Evidence files: checked by their content (not their name), stored outside static/ under their SHA-256,
served only to those who may see the report."""

from __future__ import annotations

import hashlib
import zipfile
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.audit.services import record_event
from portal.errors import ServiceError
from portal.extensions import db
from portal.reports.models import AnnualReport, Evidence

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among those accepted as evidence; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(OLE_MAGIC):
        return "application/x-ole-storage"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def storage_path(sha256: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / sha256[:2] / sha256


def attach(report: AnnualReport, field_path: str, filename: str, data: bytes, *, actor) -> Evidence:
    if not data:
        raise ServiceError(_l("The file is empty."), field="file")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ServiceError(_l("The file is larger than 20 MB. Please reduce it (for example scan at 200 dpi)."),
                           field="file")
    content_type = sniff(data)
    if content_type is None:
        raise ServiceError(_l("Only PDF, images (PNG, JPEG), Excel and Word files are accepted as evidence; "
                              "this file is none of them."), field="file")
    digest = hashlib.sha256(data).hexdigest()
    path = storage_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    evidence = Evidence(organisation_id=report.organisation_id, report_id=report.id, field_path=field_path,
                        filename=Path(filename or "evidence").name[:255], content_type=content_type, size=len(data),
                        sha256=digest, uploaded_by_id=actor.id)
    db.session.add(evidence)
    record_event("report.evidence_attached", report, actor=actor,
                 summary={"field": field_path, "file": evidence.filename, "sha256": digest})
    return evidence


def evidence_of(report: AnnualReport) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {}
    for item in db.session.scalars(db.select(Evidence).where(Evidence.report_id == report.id)
                                   .order_by(Evidence.uploaded_at)):
        found.setdefault(item.field_path, []).append(item)
    return found
