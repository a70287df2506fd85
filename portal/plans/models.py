"""Pollution-control upgrade plans: baseline, measures with their investment and expected reductions,
milestones, attachments, and every step of their review as a timeline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.capacity.models import GuidanceRequest
from portal.database import OrgOwned, one_of, utcnow
from portal.extensions import db
from portal.files import StoredFile
from portal.reviewed import ReviewedOrgOwned
from portal.sites.models import Site

PLAN_STATUSES = ("draft", "submitted", "commented", "approved", "in_progress", "completed", "verified")
MONEY = Numeric(14, 2)


class UpgradePlan(ReviewedOrgOwned, db.Model):
    __tablename__ = "upgrade_plans"
    __table_args__ = (CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    # {indicator key: {"value": "12.5", "source": "report" | "entered"}} in the indicator's unit.
    baseline: Mapped[dict] = mapped_column(JSON, default=dict)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    # The accepted report version the baseline was taken from, when it was.
    baseline_report_id: Mapped[int | None] = mapped_column(ForeignKey("annual_reports.id", ondelete="SET NULL"))
    # The assessment gaps (question ids) this plan answers, when started from a gap report.
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    gaps: Mapped[list] = mapped_column(JSON, default=list)
    # The on-site guidance visit whose findings this plan answers, when started from them (portal/capacity).
    # One plan per visit: a unique index (NULLs are not equal, so plans without a visit are unaffected).
    guidance_request_id: Mapped[int | None] = mapped_column(ForeignKey("guidance_requests.id", ondelete="SET NULL"),
                                                            unique=True, index=True)
    # After verification: {indicator: {"baseline": ..., "after": ..., "change": ...}} and the year compared.
    verification: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    site: Mapped[Site] = relationship()
    guidance_request: Mapped[GuidanceRequest | None] = relationship()
    measures: Mapped[list[PlanMeasure]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                      order_by="PlanMeasure.id")
    milestones: Mapped[list[PlanMilestone]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                          order_by="(PlanMilestone.due_date, PlanMilestone.id)")
    events: Mapped[list[PlanEvent]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                  order_by="PlanEvent.id")

    __mapper_args__ = {"version_id_col": version_id}


    @property
    def investment(self) -> Decimal:
        return sum((m.total for m in self.measures), Decimal(0))


class PlanMeasure(db.Model):
    __tablename__ = "plan_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("upgrade_plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text)
    equipment: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    construction: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    other: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # {indicator key: expected reduction in the indicator's unit, as text}
    reductions: Mapped[dict] = mapped_column(JSON, default=dict)

    plan: Mapped[UpgradePlan] = relationship(back_populates="measures")

    @property
    def total(self) -> Decimal:
        return (self.equipment or 0) + (self.construction or 0) + (self.other or 0)


class PlanMilestone(db.Model):
    __tablename__ = "plan_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("upgrade_plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    responsible: Mapped[str] = mapped_column(String(100))
    done_on: Mapped[date | None]
    progress_note: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[UpgradePlan] = relationship(back_populates="milestones")


class PlanFile(OrgOwned, StoredFile, db.Model):
    """A design, quote, contract or milestone evidence attached to a plan."""

    __tablename__ = "plan_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("upgrade_plans.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("plan_milestones.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(String(20))  # design, quote, contract, milestone, baseline, other

    plan: Mapped[UpgradePlan] = relationship()

    @classmethod
    def visible_to(cls, user):
        return cls.plan.has(UpgradePlan.visible_to(user))


class PlanEvent(db.Model):
    """One step in a plan's life: who moved it from which state to which, and why (comments included)."""

    __tablename__ = "plan_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("upgrade_plans.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[UpgradePlan] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
