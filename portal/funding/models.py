"""Funding programmes (a call with its budget, rules, amount formula, expert rubric and notice period) and the
applications suppliers make to them from an upgrade plan, with their materials, expert reviews and timeline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.database import OrgOwned, one_of, utcnow
from portal.extensions import db
from portal.files import StoredFile
from portal.orgs.models import Organisation
from portal.plans.models import UpgradePlan
from portal.reviewed import ReviewedOrgOwned

APPLICATION_STATUSES = ("draft", "submitted", "returned", "expert_review", "site_verification", "decision",
                        "approved", "public_notice", "agreement", "disbursed", "acceptance", "closed", "withdrawn",
                        "rejected")
# The states in which an approved amount is committed against the programme's budget.
COMMITTED_STATUSES = ("approved", "public_notice", "agreement", "disbursed", "acceptance", "closed")
# 污染处理设施更新改造 (replacement) and 提标升级 (upgrade to a stricter standard), the 2022 guide's two categories.
PROJECT_TYPES = ("replacement", "upgrade")
ASSIGNMENT_STATUSES = ("assigned", "declared", "recused", "scored")
MONEY = Numeric(14, 2)


class FundingProgramme(db.Model):
    """A call for applications. Rules, amount formula, rubric and materials are data the admin edits."""

    __tablename__ = "funding_programmes"
    __table_args__ = (
        CheckConstraint("budget > 0", name="budget"),
        CheckConstraint("closes_on >= opens_on", name="dates"),
        CheckConstraint("notice_days > 0", name="notice_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[Decimal] = mapped_column(MONEY)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    # [{"key": "credit_rating", "excluded": ["red"]}, {"key": "no_major_violation", "years": 1}, ...] (rules.py)
    rules: Mapped[list] = mapped_column(JSON, default=list)
    # {"share": "0.5", "base": ["equipment", "construction"], "caps": {"replacement": "5000000", ...}} (amounts.py)
    amount_rule: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"key": "c1", "label": "...", "weight": 30}, ...]: an expert gives 0..weight points per criterion.
    rubric: Mapped[list] = mapped_column(JSON, default=list)
    # [{"key": "m1", "label": "..."}, ...]: the materials every application uploads.
    materials: Mapped[list] = mapped_column(JSON, default=list)
    # Working days during which objections to the public notice are accepted.
    notice_days: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on


class FundingApplication(ReviewedOrgOwned, db.Model):
    __tablename__ = "funding_applications"
    __table_args__ = (
        CheckConstraint(one_of("status", APPLICATION_STATUSES), name="status"),
        CheckConstraint(one_of("project_type", PROJECT_TYPES), name="project_type"),
        CheckConstraint("requested_amount IS NULL OR requested_amount >= 0", name="requested_amount"),
        CheckConstraint("approved_amount IS NULL OR approved_amount >= 0", name="approved_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("funding_programmes.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("upgrade_plans.id", ondelete="RESTRICT"), index=True)
    project_type: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str | None] = mapped_column(Text)
    # What the supplier asks for; at most the computed amount (amounts.py). None: ask for the computed amount.
    requested_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    approved_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    # The most the programme's formula gave when the application was last (re)submitted, with its breakdown
    # (amounts.as_data): requests and approvals are checked against it, so later plan edits don't move it.
    submitted_cap: Mapped[Decimal | None] = mapped_column(MONEY)
    # What was paid in all when the application was closed: the budget keeps only that committed, not the remainder.
    final_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    submitted_breakdown: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The eligibility results when it was last submitted: [{"key", "label", "outcome", "data", "fix", "rule",
    # "facts"}, ...] (rules.as_data); rows kept before "rule" and "facts" were have only the text.
    eligibility: Mapped[list | None] = mapped_column(JSON)
    panel_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notice_starts_on: Mapped[date | None]
    notice_ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    programme: Mapped[FundingProgramme] = relationship()
    plan: Mapped[UpgradePlan] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                         order_by="ApplicationEvent.id")
    assignments: Mapped[list[ExpertAssignment]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ExpertAssignment.id")
    files: Mapped[list[ApplicationFile]] = relationship(back_populates="application", order_by="ApplicationFile.id")

    __mapper_args__ = {"version_id_col": version_id}


    @property
    def reference(self) -> str:
        return f"GF-{self.created_at.year if self.created_at else ''}-{self.id:03d}"


class ApplicationFile(OrgOwned, StoredFile, db.Model):
    """A required material (or an extra one) uploaded to an application."""

    __tablename__ = "funding_application_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                index=True)
    material: Mapped[str] = mapped_column(String(40))

    application: Mapped[FundingApplication] = relationship(back_populates="files")

    @classmethod
    def visible_to(cls, user):
        return cls.application.has(FundingApplication.visible_to(user))


class ExpertAssignment(db.Model):
    """One expert of the technical agency on one application: conflict-of-interest declaration, then scores."""

    __tablename__ = "funding_expert_assignments"
    __table_args__ = (
        UniqueConstraint("application_id", "expert_id", name="uq_funding_expert_assignments_application_id"),
        CheckConstraint(one_of("status", ASSIGNMENT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="assigned")
    declaration_note: Mapped[str | None] = mapped_column(Text)
    # {criterion key: points as text}
    scores: Mapped[dict | None] = mapped_column(JSON)
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    comments: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    declared_at: Mapped[datetime | None]
    scored_at: Mapped[datetime | None]

    application: Mapped[FundingApplication] = relationship(back_populates="assignments")
    expert: Mapped[User] = relationship(foreign_keys=[expert_id])


class ApplicationEvent(db.Model):
    """One step in an application's life: who moved it from which state to which, when and why."""

    __tablename__ = "funding_application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[FundingApplication] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
