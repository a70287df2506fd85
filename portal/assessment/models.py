"""Benchmarks (versioned questionnaires, frozen once published) and the self-assessments filled against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import OrgOwned, utcnow
from portal.extensions import db


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

    __mapper_args__ = {"version_id_col": version_id}
