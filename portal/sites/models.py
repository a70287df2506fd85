"""A supplier's factory sites: each reports its own annual data under its own discharge permit."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import OrgOwned, utcnow
from portal.extensions import db
from portal.orgs.models import Organisation


class PermitCategory(StrEnum):
    """固定污染源排污许可分类管理名录（2019年版）: key, simplified, or registration (no permit, a 排污登记表)."""

    KEY = "key"
    SIMPLIFIED = "simplified"
    REGISTRATION = "registration"


class Site(OrgOwned, db.Model):
    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="uq_sites_organisation_name"),
        CheckConstraint("permit_category IN ('key', 'simplified', 'registration')", name="permit_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    district: Mapped[str | None] = mapped_column(String(6))
    main_products: Mapped[str | None] = mapped_column(Text)
    # HJ 608-2017: 22 characters (credit code + 3-digit sequence + letter); registration units have a receipt no.
    permit_number: Mapped[str | None] = mapped_column(String(40))
    permit_category: Mapped[str] = mapped_column(String(12), default=PermitCategory.REGISTRATION)
    permit_expiry: Mapped[date | None]
    eia_approval_ref: Mapped[str | None] = mapped_column(String(100))
    eia_acceptance_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def holds_permit(self) -> bool:
        return self.permit_category in (PermitCategory.KEY, PermitCategory.SIMPLIFIED)
