"""Supply chains: which suppliers are in a buyer's chain (tier 1, or tier 2 through a tier-1 supplier), the
invitations that bring them in, and each supplier's consent to show its data to each buyer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, or_, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import one_of, utcnow
from portal.extensions import db
from portal.orgs.models import Organisation

INVITATION_STATUSES = ("invited", "accepted", "declined", "revoked", "expired")
TIERS = (1, 2)


class ChainLink(db.Model):
    """An accepted place in a buyer's chain. Tier 2 names the tier-1 supplier that brought it in."""

    __tablename__ = "chain_links"
    __table_args__ = (UniqueConstraint("buyer_organisation_id", "supplier_organisation_id",
                                       name="uq_chain_links_buyer_organisation_id"),
                      CheckConstraint("tier IN (1, 2)", name="tier"),
                      CheckConstraint("(tier = 1) = (parent_supplier_id IS NULL)", name="parent"))

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                       index=True)
    supplier_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                          index=True)
    tier: Mapped[int] = mapped_column(Integer)
    parent_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("chain_invitations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_organisation_id])
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_organisation_id])
    parent: Mapped[Organisation | None] = relationship(foreign_keys=[parent_supplier_id])


class ChainInvitation(db.Model):
    """A buyer (tier 1) or a tier-1 supplier (tier 2 of the same chain) asks a company to join the chain."""

    __tablename__ = "chain_invitations"
    __table_args__ = (CheckConstraint(one_of("status", INVITATION_STATUSES), name="status"),
                      CheckConstraint("tier IN (1, 2)", name="tier"),
                      # At most one open invitation per company and chain (an expired one is renewed, not doubled).
                      Index("uq_chain_invitations_open", "buyer_organisation_id", "credit_code", unique=True,
                            sqlite_where=text("status = 'invited'"), postgresql_where=text("status = 'invited'")))

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                       index=True)
    inviting_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                          index=True)
    tier: Mapped[int] = mapped_column(Integer)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    email: Mapped[str] = mapped_column(String(254))
    # The company already on the platform when invited (asked to accept in the portal); None: a new company.
    invitee_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                                index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="invited")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    last_reminded_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    # The file it was last sent from (a random id per sent file) and its row number there, which is how the file's
    # result page finds its rows again; NULL when last sent from the one-at-a-time form.
    sent_batch: Mapped[str | None] = mapped_column(String(32), index=True)
    sent_row: Mapped[int | None] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer, default=1)  # two answers at once: the second is refused

    __mapper_args__ = {"version_id_col": version_id}

    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_organisation_id])
    inviting: Mapped[Organisation] = relationship(foreign_keys=[inviting_organisation_id])
    invitee: Mapped[Organisation | None] = relationship(foreign_keys=[invitee_organisation_id])

    @classmethod
    def owner_clause(cls, organisation_id: int):
        return cls.inviting_organisation_id == organisation_id

    @classmethod
    def visible_to(cls, user):
        """The organisation that sent it, and the company it is addressed to (by credit code)."""
        own_code = select(Organisation.credit_code).where(Organisation.id == user.organisation_id).scalar_subquery()
        return or_(cls.inviting_organisation_id == user.organisation_id, cls.credit_code == own_code)


class ChainConsent(db.Model):
    """A supplier's standing choices for one buyer of its chains. Which items are shown is the share rows
    (AssessmentShare, ReportShare); `share_new` adds a share for each report accepted and each assessment
    submitted later; `share_progress` shows the status of its upgrade plans and funding applications."""

    __tablename__ = "chain_consents"
    __table_args__ = (UniqueConstraint("supplier_organisation_id", "buyer_organisation_id",
                                       name="uq_chain_consents_supplier_organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                          index=True)
    buyer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                       index=True)
    share_new: Mapped[bool] = mapped_column(default=True)
    share_progress: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReportShare(db.Model):
    """The supplier's consent: this buyer may see this accepted annual report (the one way to share a report)."""

    __tablename__ = "report_shares"
    __table_args__ = (UniqueConstraint("report_id", "buyer_organisation_id", name="uq_report_shares_report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_reports.id", ondelete="CASCADE"), index=True)
    buyer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                       index=True)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)
