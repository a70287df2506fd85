"""Benchmarks (versioned questionnaires, frozen once published) and the self-assessments filled against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import OrgOwned, utcnow
from portal.extensions import db
from portal.files import StoredFile
from portal.orgs.models import Organisation, OrgKind


class Benchmark(db.Model):
    __tablename__ = "benchmarks"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_benchmarks_key_version"),
                      CheckConstraint("status IN ('draft', 'published')", name="status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    # None: the programme's own benchmark; otherwise the buyer that owns it.
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    # The parsed questionnaire (portal.assessment.benchmark.Benchmark.to_dict()); frozen once published.
    definition: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_zh


class Assessment(OrgOwned, db.Model):
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("organisation_id", "benchmark_id", "year", name="uq_assessments_organisation_benchmark_year"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    benchmark_id: Mapped[int] = mapped_column(ForeignKey("benchmarks.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Which answers were pre-filled from accepted annual data, and from what: {question id: fact name}.
    prefilled: Mapped[dict] = mapped_column(JSON, default=dict)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    benchmark: Mapped[Benchmark] = relationship()
    organisation: Mapped[Organisation] = relationship()
    shares: Mapped[list[AssessmentShare]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    verification: Mapped[Verification | None] = relationship(back_populates="assessment", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def visible_to(cls, user):
        """The supplier's own; once submitted, the technical agency (it verifies) and the buyers it was shared with."""
        if user.org_kind == OrgKind.AGENCY:
            return cls.status == "submitted"
        if user.org_kind == OrgKind.BUYER:
            return and_(cls.status == "submitted",
                        cls.shares.any(AssessmentShare.buyer_organisation_id == user.organisation_id))
        return cls.owner_clause(user.organisation_id)


class AssessmentEvidence(OrgOwned, StoredFile, db.Model):
    """A file supporting one answer of an assessment."""

    __tablename__ = "assessment_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(40))

    assessment: Mapped[Assessment] = relationship()

    @classmethod
    def visible_to(cls, user):
        return cls.assessment.has(Assessment.visible_to(user))


class AssessmentShare(db.Model):
    """The supplier's consent: this buyer may see this submitted assessment (and verify it)."""

    __tablename__ = "assessment_shares"
    __table_args__ = (UniqueConstraint("assessment_id", "buyer_organisation_id",
                                       name="uq_assessment_shares_assessment_buyer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    buyer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                       index=True)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="shares")


class Verification(db.Model):
    """A buyer's or the technical agency's check of a submitted assessment: per answer, accepted or adjusted
    (with the answer the evidence supports and a comment). One per assessment; frozen once completed."""

    __tablename__ = "assessment_verifications"
    __table_args__ = (CheckConstraint("status IN ('in_progress', 'completed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), unique=True)
    # The verifying organisation (a buyer or the agency) and the person who completed it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    # {question id: {"decision": "accept" | "adjust", "answer": the verified answer (adjust only), "comment": ...}}
    decisions: Mapped[dict] = mapped_column(JSON, default=dict)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    assessment: Mapped[Assessment] = relationship(back_populates="verification")
    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    def verified_answers(self, answers: dict) -> dict:
        """The supplier's answers with every adjustment applied."""
        adjusted = {qid: d.get("answer") for qid, d in (self.decisions or {}).items() if d.get("decision") == "adjust"}
        return {**answers, **adjusted}
