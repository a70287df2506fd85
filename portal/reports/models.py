"""Annual environmental reports: the working draft, every submitted version, reviewers' comments per field,
evidence files, and the emission factors derived figures are computed with."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.database import OrgOwned, utcnow
from portal.extensions import db
from portal.files import StoredFile
from portal.orgs.models import OrgKind
from portal.sites.models import Site

REPORT_STATUSES = ("draft", "submitted", "returned", "accepted")


class AnnualReport(OrgOwned, db.Model):
    __tablename__ = "annual_reports"
    __table_args__ = (
        UniqueConstraint("site_id", "year", name="uq_annual_reports_site_year"),
        CheckConstraint("status IN ('draft', 'submitted', 'returned', 'accepted')", name="status"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        # The review queue: reports of one status, oldest submission first.
        Index("ix_annual_reports_queue", "status", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    # The working copy as the user typed it (raw strings): a draft keeps even input that does not validate.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Why a value changed by more than the plausibility bound, keyed by field path.
    explanations: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set when an accepted report is reopened for a correction.
    correction_reason: Mapped[str | None] = mapped_column(Text)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("annual_reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    site: Mapped[Site] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(back_populates="report", order_by="ReportVersion.number",
                                                         cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def visible_to(cls, user):
        # The technical agency reviews every supplier's submissions, never their drafts.
        if user.org_kind == OrgKind.AGENCY:
            return cls.status != "draft"
        return cls.owner_clause(user.organisation_id)

    @property
    def latest_version(self) -> ReportVersion | None:
        return self.versions[-1] if self.versions else None


class ReportVersion(db.Model):
    """A frozen copy of what was submitted: every submission is kept and can be compared."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number", name="uq_report_versions_report_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_reports.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    explanations: Mapped[dict] = mapped_column(JSON, default=dict)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The reviewer's decision on this version: returned or accepted, with when and by whom.
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    report: Mapped[AnnualReport] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])


class ReviewComment(db.Model):
    """A reviewer's comment on one field (or a whole section when field_path is the section key)."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_reports.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id", ondelete="CASCADE"))
    field_path: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class Evidence(OrgOwned, StoredFile, db.Model):
    """A file attached where a claim is made (a section or one of its lines), stored by content hash."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_reports.id", ondelete="CASCADE"), index=True)
    field_path: Mapped[str] = mapped_column(String(120))

    report: Mapped[AnnualReport] = relationship()

    @classmethod
    def visible_to(cls, user):
        if user.org_kind == OrgKind.AGENCY:
            return cls.report.has(AnnualReport.status != "draft")
        return cls.owner_clause(user.organisation_id)


class EmissionFactorRecord(db.Model):
    """An emission factor of one year, with its source; admins add a year's factors without a code change."""

    __tablename__ = "emission_factors"
    __table_args__ = (UniqueConstraint("year", "energy_type", name="uq_emission_factors_year_energy_type"),
                      CheckConstraint("scope IN (1, 2)", name="scope"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    energy_type: Mapped[str] = mapped_column(String(30))
    scope: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Numeric(12, 6))
    unit: Mapped[str] = mapped_column(String(20))  # the activity unit the factor applies to (units.py code)
    source: Mapped[str] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportImport(db.Model):
    """An uploaded Excel file waiting for the user to confirm its import; the file itself is kept in the
    instance folder under its SHA-256 and read again on preview and on import."""

    __tablename__ = "report_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_reports.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    # The report's version when the file was uploaded: importing over later edits needs a fresh preview.
    report_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]

    report: Mapped[AnnualReport] = relationship()

    @classmethod
    def visible_to(cls, user):
        return cls.user_id == user.id
