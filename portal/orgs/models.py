"""Organisations taking part in the programme, and the ways people join them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import OrgOwned, one_of, utcnow
from portal.extensions import db


class OrgKind(StrEnum):
    SUPPLIER = "supplier"
    BUYER = "buyer"
    AUTHORITY = "authority"  # the environmental authority
    AGENCY = "agency"  # its third-party technical agency


class MemberRole(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


class Organisation(OrgOwned, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(one_of("kind", OrgKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    # A platform admin accepted a legacy code that fails the GB 32100-2015 check (see the audit trail).
    credit_code_legacy: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str | None] = mapped_column(String(300))
    district: Mapped[str | None] = mapped_column(String(6))
    industry_code: Mapped[str | None] = mapped_column(String(5))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # A buyer's choice of the questionnaire (Benchmark.key) its suppliers answer; None: the programme's default.
    benchmark_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    members: Mapped[list[User]] = relationship(back_populates="organisation")  # noqa: F821

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def owner_clause(cls, organisation_id: int):
        return cls.id == organisation_id

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_zh

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.credit_code}>"


class Invitation(OrgOwned, db.Model):
    """An organisation admin asks a colleague to join; the link in the e-mail carries the token."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(one_of("role", MemberRole), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()


class JoinRequest(OrgOwned, db.Model):
    """Someone registering with a credit code that already exists asks to join that organisation."""

    __tablename__ = "join_requests"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
