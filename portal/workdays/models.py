"""The official working-day calendar: public holidays and the weekend days made working days (调休), as the
State Council publishes them each year. Admins enter them; the portal has no built-in list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import one_of, utcnow
from portal.extensions import db

DAY_KINDS = ("holiday", "workday")


class CalendarDay(db.Model):
    """One day that differs from the Monday-to-Friday week: a holiday on a weekday or a working weekend day."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint(one_of("kind", DAY_KINDS), name="kind"),)

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
