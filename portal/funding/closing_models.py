"""After the public notice: the funding agreement the authority signs with the supplier, the payments made under it
(funding disbursed = the sum of Disbursement.amount) and the acceptance of the finished project with its evidence,
measured reductions and the authority's verdict (DOMAIN.md §7, steps 10, 11 and 13)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.auth.models import User
from portal.database import OrgOwned, one_of, utcnow
from portal.extensions import db
from portal.files import StoredFile
from portal.funding.models import MONEY, FundingApplication

VERDICTS = ("passed", "failed")


class _OfApplication(OrgOwned):
    """Rows that whoever may open the application may open."""

    @classmethod
    def visible_to(cls, user):
        return cls.application.has(FundingApplication.visible_to(user))


class Agreement(_OfApplication, StoredFile, db.Model):
    """The funding agreement (资助协议): its number, the day it was signed and the signed copy as a PDF."""

    __tablename__ = "funding_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                unique=True)
    number: Mapped[str] = mapped_column(String(60))
    signed_on: Mapped[date]  # recorded by uploaded_by at uploaded_at (StoredFile)

    application: Mapped[FundingApplication] = relationship(
        backref=backref("agreement", uselist=False, cascade="all, delete-orphan"))


class Disbursement(db.Model):
    """One payment (拨付) of the approved amount: a batch with its voucher number, amount and payment date."""

    __tablename__ = "funding_disbursements"
    __table_args__ = (
        UniqueConstraint("batch", name="uq_funding_disbursements_batch"),  # a voucher pays one application
        CheckConstraint("amount > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date]
    batch: Mapped[str] = mapped_column(String(60))  # batch or payment voucher number
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[FundingApplication] = relationship(
        backref=backref("disbursements", cascade="all, delete-orphan", order_by="Disbursement.id"))
    recorded_by: Mapped[User | None] = relationship()


class Acceptance(db.Model):
    """The acceptance (验收) of a finished project: the supplier's report (summary, measured reductions per
    indicator with where each figure came from, evidence files) and the authority's verdict with its comment."""

    __tablename__ = "funding_acceptances"
    __table_args__ = (CheckConstraint(f"verdict IS NULL OR {one_of('verdict', VERDICTS)}", name="verdict"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                unique=True)
    summary: Mapped[str] = mapped_column(Text)
    # {indicator key: {"value": "12.5", "unit": "t", "source": "verification" | "entered",
    #                  "baseline": "...", "after": "...", "year": 2025, "baseline_year": 2023}}
    reductions: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    verdict: Mapped[str | None] = mapped_column(String(8))
    verdict_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    application: Mapped[FundingApplication] = relationship(
        backref=backref("acceptance", uselist=False, cascade="all, delete-orphan"))
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class AcceptanceFile(_OfApplication, StoredFile, db.Model):
    """Evidence for the acceptance (completion documents, monitoring reports, photos), uploaded before it starts."""

    __tablename__ = "funding_acceptance_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                index=True)

    application: Mapped[FundingApplication] = relationship(
        backref=backref("acceptance_files", cascade="all, delete-orphan", order_by="AcceptanceFile.id"))
