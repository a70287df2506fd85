"""People who sign in, and the single-use tokens that reset their passwords."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import OrgOwned, utcnow
from portal.extensions import db
from portal.orgs.models import MemberRole, Organisation


class User(OrgOwned, UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Everyone but a platform admin belongs to exactly one organisation, with a role in it.
        CheckConstraint(
            "is_platform_admin OR (organisation_id IS NOT NULL AND role IS NOT NULL)", name="membership"
        ),
        CheckConstraint("role IS NULL OR role IN ('admin', 'staff')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(8))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Bumped when the password changes, so every older session and remember-me cookie stops working.
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_epoch}"

    @property
    def org_kind(self) -> str | None:
        return self.organisation.kind if self.organisation else None

    @property
    def is_org_admin(self) -> bool:
        return self.role == MemberRole.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
