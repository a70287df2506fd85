"""Credit ratings and penalty records as the authorities publish them, keyed by unified social credit code (not
by organisation: a record of a code nobody registered yet is kept, and its organisation sees it once it
registers), plus what suppliers and reviewers add to a penalty in the portal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import OrgOwned, one_of, utcnow
from portal.extensions import db
from portal.files import StoredFile
from portal.orgs.models import Organisation, OrgKind

# 深环规〔2023〕3号 levels, best first; the scores of Shenzhen's 100-point bands are in records.reading.
LEVELS = ("green", "blue", "yellow", "red")
# The status the source gives: 未整改, 整改中, 已整改.
PENALTY_STATUSES = ("open", "rectifying", "rectified")
REVIEWER_KINDS = (OrgKind.AUTHORITY, OrgKind.AGENCY)


def reviews_records(user) -> bool:
    """The environmental authority and its technical agency see every organisation's records."""
    return bool(user.is_authenticated and user.organisation_id is not None and user.org_kind in REVIEWER_KINDS)


def _code_of(user):
    return select(Organisation.credit_code).where(Organisation.id == user.organisation_id).scalar_subquery()


class _ByCreditCode:
    credit_code: Mapped[str]

    @classmethod
    def owner_clause(cls, organisation_id: int):
        return cls.credit_code == select(Organisation.credit_code).where(
            Organisation.id == organisation_id).scalar_subquery()

    @classmethod
    def visible_to(cls, user):
        return true() if reviews_records(user) else cls.credit_code == _code_of(user)


class CreditRating(_ByCreditCode, db.Model):
    __tablename__ = "credit_ratings"
    __table_args__ = (
        UniqueConstraint("credit_code", "year", name="uq_credit_ratings_credit_code_year"),
        CheckConstraint(one_of("level", LEVELS), name="level"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    issuer: Mapped[str | None] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation | None] = relationship(
        primaryjoin="foreign(CreditRating.credit_code) == Organisation.credit_code", viewonly=True)


class PenaltyRecord(_ByCreditCode, db.Model):
    __tablename__ = "penalty_records"
    __table_args__ = (CheckConstraint(one_of("status", PENALTY_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    decided_on: Mapped[date]
    decision_number: Mapped[str] = mapped_column(String(100), unique=True)
    violation: Mapped[str] = mapped_column(Text)
    penalty: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    # Only what the source says; None where it does not classify the case (never derived from the amount).
    major: Mapped[bool | None]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A reviewer's finding in the portal, kept apart from the source's status so that a re-import never undoes it.
    rectified_at: Mapped[datetime | None]
    rectified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rectification_note: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(
        primaryjoin="foreign(PenaltyRecord.credit_code) == Organisation.credit_code", viewonly=True)
    rectified_by: Mapped["User | None"] = relationship()  # noqa: F821, UP037
    explanations: Mapped[list[PenaltyExplanation]] = relationship(
        back_populates="penalty", order_by="PenaltyExplanation.created_at")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_rectified(self) -> bool:
        return self.status == "rectified" or self.rectified_at is not None

    @classmethod
    def open_clause(cls):
        """SQL for "not rectified" (is_rectified is False): the one definition of an open violation."""
        return and_(cls.status != "rectified", cls.rectified_at.is_(None))


class PenaltyExplanation(OrgOwned, db.Model):
    """A supplier's account of a penalty and of what it did about it, with its rectification evidence."""

    __tablename__ = "penalty_explanations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    penalty_id: Mapped[int] = mapped_column(ForeignKey("penalty_records.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    penalty: Mapped[PenaltyRecord] = relationship(back_populates="explanations")
    created_by: Mapped["User | None"] = relationship()  # noqa: F821, UP037
    files: Mapped[list[RectificationEvidence]] = relationship(back_populates="explanation",
                                                              order_by="RectificationEvidence.id")

    @classmethod
    def visible_to(cls, user):
        return true() if reviews_records(user) else cls.owner_clause(user.organisation_id)


class RectificationEvidence(OrgOwned, StoredFile, db.Model):
    __tablename__ = "rectification_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    explanation_id: Mapped[int] = mapped_column(ForeignKey("penalty_explanations.id", ondelete="CASCADE"),
                                                index=True)

    explanation: Mapped[PenaltyExplanation] = relationship(back_populates="files")

    @classmethod
    def visible_to(cls, user):
        return true() if reviews_records(user) else cls.owner_clause(user.organisation_id)


class RecordImport(db.Model):
    """An uploaded file of records: previewed, then applied once. Only platform admins import."""

    __tablename__ = "record_imports"
    __table_args__ = (CheckConstraint("kind IS NULL OR kind IN ('ratings', 'penalties')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]
    # The counts of the import report once applied: rows, invalid, matched, unmatched, created, updated, unchanged.
    summary: Mapped[dict | None] = mapped_column(JSON)

    uploaded_by: Mapped["User | None"] = relationship()  # noqa: F821, UP037

    @classmethod
    def visible_to(cls, user):
        return false()  # owned_or_404 does not scope platform admins; nobody else opens an import
