"""Tips from the public (举报线索) about a supplier: kept private until a reviewer accepts one, and then only the
text the reviewer published (which may leave out names or other personal details) is shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.database import one_of, utcnow
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.records.models import reviews_records

TIP_STATUSES = ("new", "accepted", "dismissed")
MAX_PUBLISHED = 2000  # the text a reviewer publishes on the supplier's profile


class Tip(db.Model):
    __tablename__ = "public_tips"
    __table_args__ = (
        CheckConstraint(one_of("status", TIP_STATUSES), name="status"),
        CheckConstraint("status != 'accepted' OR published_text IS NOT NULL", name="published"),
        CheckConstraint(f"published_text IS NULL OR length(published_text) <= {MAX_PUBLISHED}",
                        name="published_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The supplier the tip is about, when the sender named a registered one.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"),
                                                        index=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="new", index=True)
    reviewer_note: Mapped[str | None] = mapped_column(Text)
    published_text: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def visible_to(cls, user):
        """The environmental authority and its technical agency review tips; nobody else opens one."""
        return true() if reviews_records(user) else false()
