"""Evidence attached to a report's section or line (the file itself is kept by portal.files)."""

from __future__ import annotations

from portal import files
from portal.audit.services import record_event
from portal.extensions import db
from portal.reports.models import AnnualReport, Evidence


def attach(report: AnnualReport, field_path: str, filename: str, data: bytes, *, actor) -> Evidence:
    stored = files.store(filename, data)
    evidence = Evidence(organisation_id=report.organisation_id, report_id=report.id, field_path=field_path,
                        uploaded_by_id=actor.id, **stored)
    db.session.add(evidence)
    record_event("report.evidence_attached", report, actor=actor,
                 summary={"field": field_path, "file": evidence.filename, "sha256": stored["sha256"]})
    return evidence


def evidence_of(report: AnnualReport) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {}
    for item in db.session.scalars(db.select(Evidence).where(Evidence.report_id == report.id)
                                   .order_by(Evidence.uploaded_at)):
        found.setdefault(item.field_path, []).append(item)
    return found
