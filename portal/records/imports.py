"""Importing a file of records: upload → import report (matched, unmatched and invalid rows; new, changed and
unchanged records) → the good rows applied on confirm. Invalid rows are left out and listed; a problem with the
file as a whole imports nothing.

Idempotent: a rating is one per (credit code, year) and a penalty one per decision number, so importing the same
file again changes nothing; a row that differs from its record updates it, and the update is audited. A row whose
code no organisation has registered yet is kept: the organisation sees it once it registers with that code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.records import reading
from portal.records.models import CreditRating, PenaltyRecord, RecordImport
from portal.reports.excel import Problem

FIELDS = {"ratings": ("level", "score", "issuer"),
          "penalties": ("credit_code", "decided_on", "violation", "penalty", "status", "major")}
CHUNK = 500  # keys per IN (...) query


@dataclass(frozen=True)
class Change:
    row: int
    key: str
    credit_code: str
    diff: dict  # field -> [stored, in the file]


@dataclass
class ImportReport:
    parsed: reading.ParsedFile
    organisations: dict[str, Organisation] = field(default_factory=dict)  # credit code -> organisation
    new: list[reading.Row] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmatched: list[reading.Row] = field(default_factory=list)
    existing: dict = field(default_factory=dict)  # record key -> stored record

    @property
    def matched(self) -> int:
        return len(self.parsed.rows) - len(self.unmatched)

    def counts(self) -> dict[str, int]:
        return {"rows": len(self.parsed.rows) + len(self.parsed.invalid_rows), "invalid": len(self.parsed.invalid_rows),
                "matched": self.matched, "unmatched": len(self.unmatched), "created": len(self.new),
                "updated": len(self.changed), "unchanged": self.unchanged}


def _key(kind: str, values: dict) -> tuple:
    return (values["credit_code"], values["year"]) if kind == "ratings" else (values["decision_number"],)


def _chunks(items: list) -> list[list]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def _stored(kind: str, rows: list[reading.Row]) -> dict[tuple, CreditRating | PenaltyRecord]:
    if kind == "ratings":
        codes = sorted({row.values["credit_code"] for row in rows})
        found = [r for part in _chunks(codes)
                 for r in db.session.scalars(select(CreditRating).where(CreditRating.credit_code.in_(part)))]
        return {(r.credit_code, r.year): r for r in found}
    numbers = sorted({row.values["decision_number"] for row in rows})
    found = [r for part in _chunks(numbers)
             for r in db.session.scalars(select(PenaltyRecord).where(PenaltyRecord.decision_number.in_(part)))]
    return {(r.decision_number,): r for r in found}


def legacy_codes() -> frozenset[str]:
    return frozenset(db.session.scalars(select(Organisation.credit_code).where(Organisation.credit_code_legacy)))


def build_report(parsed: reading.ParsedFile) -> ImportReport:
    report = ImportReport(parsed)
    if parsed.kind is None or parsed.blocked:
        return report
    codes = sorted({row.values["credit_code"] for row in parsed.rows})
    report.organisations = {org.credit_code: org for part in _chunks(codes) for org in
                            db.session.scalars(select(Organisation).where(Organisation.credit_code.in_(part)))}
    report.existing = _stored(parsed.kind, parsed.rows)
    fields = FIELDS[parsed.kind]
    for row in parsed.rows:
        if row.values["credit_code"] not in report.organisations:
            report.unmatched.append(row)
        record = report.existing.get(_key(parsed.kind, row.values))
        if record is None:
            report.new.append(row)
            continue
        # A column the file lacks keeps what is stored. Values compare as values: 82 is 82.00.
        diff = {name: [getattr(record, name), row.values[name]] for name in fields
                if name in row.values and getattr(record, name) != row.values[name]}
        if diff:
            key = " ".join(str(part) for part in _key(parsed.kind, row.values))
            report.changed.append(Change(row.number, key, row.values["credit_code"], diff))
        else:
            report.unchanged += 1
    return report


def apply_rows(parsed: reading.ParsedFile, *, actor) -> ImportReport:
    """Creates and updates the records of the file's good rows (flushes, never commits)."""
    report = build_report(parsed)
    model = CreditRating if parsed.kind == "ratings" else PenaltyRecord
    columns = {"credit_code", "year", "decision_number", *FIELDS.get(parsed.kind or "ratings", ())}
    for row in report.new:
        db.session.add(model(**{name: value for name, value in row.values.items() if name in columns}))
    by_row = {row.number: row for row in parsed.rows}
    for change in report.changed:
        record = report.existing[_key(parsed.kind, by_row[change.row].values)]
        for name in change.diff:
            setattr(record, name, by_row[change.row].values[name])
        org = report.organisations.get(change.credit_code)
        record_event(f"records.{'rating' if parsed.kind == 'ratings' else 'penalty'}_updated", record, actor=actor,
                     organisation_id=org.id if org else None,
                     summary={"key": change.key, "row": change.row, "changes": change.diff})
    db.session.flush()
    return report


# The uploaded file, kept until it is applied (and after, for the record) under its SHA-256.
def _path(sha256: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "record-imports" / sha256


def upload(filename: str, content: bytes, *, actor) -> RecordImport:
    if not content:
        raise ServiceError(_l("The file is empty."), field="file")
    if len(content) > reading.MAX_BYTES:
        raise ServiceError(_l("The file is larger than 10 MB. Split it into several files."), field="file")
    digest = hashlib.sha256(content).hexdigest()
    path = _path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    pending = RecordImport(filename=Path(filename or "records.csv").name[:255], sha256=digest,
                           uploaded_by_id=getattr(actor, "id", None))
    db.session.add(pending)
    db.session.flush()
    return pending


def parse(pending: RecordImport) -> reading.ParsedFile:
    try:
        content = _path(pending.sha256).read_bytes()
    except FileNotFoundError:
        parsed = reading.ParsedFile()
        parsed.problems.append(Problem("", None, None, _l(
            "The uploaded file is no longer available. Please upload it again.")))
        return parsed
    return reading.read(content, legacy_codes=legacy_codes())


def preview(pending: RecordImport) -> ImportReport:
    return build_report(parse(pending))


def apply(pending: RecordImport, *, actor) -> ImportReport:
    if pending.applied_at is not None:
        raise ServiceError(_l("This file has already been imported."), code="applied")
    parsed = parse(pending)
    if parsed.kind is None or parsed.blocked:
        raise ServiceError(_l("The file cannot be read as it is, so nothing was imported. Correct it and upload it "
                              "again."), code="problems")
    report = apply_rows(parsed, actor=actor)
    pending.kind, pending.applied_at, pending.summary = parsed.kind, utcnow(), report.counts()
    record_event("records.imported", pending, actor=actor,
                 summary={"file": pending.filename, "kind": parsed.kind, **report.counts()})
    return report
