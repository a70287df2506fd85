"""The assistant's memory: each user's questions and answers with their citations and feedback; the
guideline documents admins manage; and the index rebuilds with their progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.database import OrgOwned, utcnow
from portal.extensions import db


class AssistantMessage(OrgOwned, db.Model):
    """One question and the answer it got. A conversation is a user's messages in order."""

    __tablename__ = "assistant_messages"
    __table_args__ = (CheckConstraint("rating IS NULL OR rating IN (-1, 1)", name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                        index=True)
    question: Mapped[str] = mapped_column(Text)
    # The form section the user was filling when they asked (the side panel passes it), if any.
    context: Mapped[str | None] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)
    grounded: Mapped[bool]
    mode: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(5))
    support: Mapped[float] = mapped_column(Float, default=0.0)
    fallback_reason: Mapped[str | None] = mapped_column(String(300))
    # [{doc_id, title, section, chunk_id, lang, score}] in rank order: the answer's numbered citations.
    citations: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None]
    expert_requested_at: Mapped[datetime | None]
    expert_note: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()

    @classmethod
    def visible_to(cls, user):
        # A conversation is personal: not even colleagues see it.
        return cls.user_id == user.id


class GuidelineFile(db.Model):
    """A document the assistant answers from, stored in the instance's guideline folder."""

    __tablename__ = "guideline_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # True for the documents shipped with the portal (copied in by `flask guidance seed`).
    bundled: Mapped[bool] = mapped_column(default=False)
    # A deleted document keeps its row, so seeding never brings back what an admin removed.
    active: Mapped[bool] = mapped_column(default=True)
    version_id: Mapped[int] = mapped_column(default=1)

    uploaded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class IndexBuild(db.Model):
    """A rebuild of the guideline index, with the progress the admin page shows."""

    __tablename__ = "index_builds"
    __table_args__ = (CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="running")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(Text)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0
