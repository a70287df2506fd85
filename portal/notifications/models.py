"""One notification per recipient, stored as a kind and its parameters so that it reads in the reader's language;
and the reminders already sent, so that a rerun of the reminder command sends nothing twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import utcnow
from portal.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    # The bell counts a user's unread ones on every page: the count reads the first index only. The list pages
    # through a user's notifications newest first: the second.
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
                      Index("ix_notifications_user_id_created_at", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # A path inside the portal (url_for without _external), never a full URL.
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    @property
    def message(self) -> str:
        from portal.notifications.kinds import render

        return render(self.kind, self.params or {})


class ReminderSent(db.Model):
    """A reminder goes out once per (kind, object, recipient, deadline)."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "object_id", "user_id", "deadline", name="uq_reminders_sent_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deadline: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
