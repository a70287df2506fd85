"""The guideline documents the assistant answers from: a folder in the instance, one row per file.

The bundled corpus is copied in by `seed_bundled` (part of `make run`); admins upload, replace and delete
documents, then rebuild the index. Uploads are checked by content, not by their name alone.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import guidance
from portal.assistant.models import GuidelineFile
from portal.audit.services import record_event
from portal.errors import ServiceError
from portal.extensions import db

ALLOWED_SUFFIXES = (".md", ".pdf", ".docx", ".html", ".htm")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


def documents_dir() -> Path:
    folder = Path(current_app.config["GUIDANCE_DOCUMENTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def list_documents() -> list[GuidelineFile]:
    return list(db.session.scalars(select(GuidelineFile).where(GuidelineFile.active.is_(True))
                                   .order_by(GuidelineFile.filename)))


def _by_name(filename: str) -> GuidelineFile | None:
    return db.session.scalars(select(GuidelineFile).where(GuidelineFile.filename == filename)).first()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_content(filename: str, data: bytes) -> None:
    """The bytes must be what the name says, and the guidance library must be able to read them."""
    suffix = Path(filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ServiceError(_l("Upload a Markdown, PDF, Word (.docx) or HTML file."), field="file")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ServiceError(_l("The file is larger than 10 MB."), field="file")
    if suffix == ".pdf" and not data.startswith(b"%PDF-"):
        raise ServiceError(_l("This file is named .pdf but is not a PDF document."), field="file")
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                archive.getinfo("word/document.xml")
        except (zipfile.BadZipFile, KeyError):
            raise ServiceError(_l("This file is named .docx but is not a Word document."), field="file") from None
    if suffix in (".md", ".html", ".htm"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError(_l("Text documents must be saved as UTF-8."), field="file") from None
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / filename
        path.write_bytes(data)
        try:
            guidance.build_index([path], Path(scratch) / "index")
        except guidance.IngestError as err:
            raise ServiceError(_l("The assistant cannot read this document: %(reason)s", reason=err.reason),
                               field="file") from None


def add_document(filename: str, data: bytes, *, actor) -> GuidelineFile:
    if not SAFE_NAME.match(filename):
        raise ServiceError(_l("Use a file name of letters, digits, dots, dashes and underscores, for example "
                              "hazardous-waste.zh.md."), field="file")
    document = _by_name(filename)
    if document is not None and document.active:
        raise ServiceError(_l("A document with this file name exists already; use Replace on it instead."),
                           field="file")
    _check_content(filename, data)
    (documents_dir() / filename).write_bytes(data)
    if document is None:
        document = GuidelineFile(filename=filename)
        db.session.add(document)
    document.size, document.sha256, document.active, document.bundled = len(data), _sha256(data), True, False
    document.uploaded_by_id = getattr(actor, "id", None)
    record_event("guideline.uploaded", document, actor=actor, summary={"filename": filename, "size": len(data)})
    return document


def replace_document(document: GuidelineFile, data: bytes, *, actor) -> None:
    _check_content(document.filename, data)
    before = document.sha256
    (documents_dir() / document.filename).write_bytes(data)
    document.size, document.sha256, document.bundled = len(data), _sha256(data), False
    document.uploaded_by_id = getattr(actor, "id", None)
    record_event("guideline.replaced", document, actor=actor,
                 summary={"filename": document.filename, "sha256": [before, document.sha256]})


def delete_document(document: GuidelineFile, *, actor) -> None:
    (documents_dir() / document.filename).unlink(missing_ok=True)
    document.active = False
    record_event("guideline.deleted", document, actor=actor, summary={"filename": document.filename})


def seed_bundled() -> int:
    """Copies in the documents shipped with the portal; keeps any an admin has replaced. Idempotent."""
    changed = 0
    for source in sorted(guidance.config.BUNDLED_CORPUS_DIR.glob("*.*.md")):
        data = source.read_bytes()
        document = _by_name(source.name)
        if document is None:
            document = GuidelineFile(filename=source.name, bundled=True)
            db.session.add(document)
        elif not document.bundled or not document.active:
            continue  # an admin replaced or removed it: their choice stands
        elif document.sha256 == _sha256(data) and (documents_dir() / source.name).exists():
            continue
        document.size, document.sha256 = len(data), _sha256(data)
        shutil.copyfile(source, documents_dir() / source.name)
        changed += 1
    return changed
