"""Uploaded evidence files, whatever they support (a report field, an assessment answer): checked by their
content (not their name), stored outside static/ under their SHA-256, served only through views that checked
who may see them."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import datetime
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.database import utcnow
from portal.errors import ServiceError

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc


class StoredFile:
    """The columns of an uploaded file; the model adds what the file is attached to."""

    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def uploaded_by(cls) -> Mapped["User | None"]:  # noqa: F821, UP037
        return relationship("User")


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


def store(filename: str, data: bytes, *, field: str = "file") -> dict:
    """Checks and stores an upload; returns the StoredFile column values. Raises ServiceError on `field`."""
    if not data:
        raise ServiceError(_l("The file is empty."), field=field)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ServiceError(_l("The file is larger than 20 MB. Please reduce it (for example scan at 200 dpi)."),
                           field=field)
    content_type = sniff(data)
    if content_type is None:
        raise ServiceError(_l("Only PDF, images (PNG, JPEG), Excel and Word files are accepted as evidence; "
                              "this file is none of them."), field=field)
    digest = hashlib.sha256(data).hexdigest()
    path = storage_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return {"filename": Path(filename or "evidence").name[:255], "content_type": content_type, "size": len(data),
            "sha256": digest}


def send_stored(item: StoredFile):
    """The download of a stored file; the caller has checked that the user may see it."""
    path = storage_path(item.sha256)
    if not path.exists():
        abort(404)  # the row outlived its file (restored database without the upload folder)
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.filename)
