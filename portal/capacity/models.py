"""Capacity building: trainings the technical agency publishes (with materials and registrations) and on-site
expert guidance visits suppliers request (with the visit's findings and their timeline)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.access import is_agency_member
from portal.auth.models import User
from portal.database import OrgOwned, one_of, utcnow
from portal.extensions import db
from portal.files import StoredFile
from portal.orgs.models import Organisation
from portal.sites.models import Site

TRAINING_STATUSES = ("draft", "published", "cancelled")
TRAINING_MODES = ("in_person", "online")
REGISTRATION_STATUSES = ("registered", "cancelled")
REQUEST_STATUSES = ("requested", "scheduled", "visited", "closed", "cancelled", "declined")
TOPICS = ("wastewater", "vocs", "hazardous_waste", "energy", "noise", "cleaner_production", "permits", "other")
SEVERITIES = ("high", "medium", "low")


class Training(db.Model):
    __tablename__ = "trainings"
    __table_args__ = (CheckConstraint(one_of("status", TRAINING_STATUSES), name="status"),
                      CheckConstraint(one_of("mode", TRAINING_MODES), name="mode"),
                      CheckConstraint("capacity > 0", name="capacity"),
                      CheckConstraint("ends_at > starts_at", name="ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(10))
    place: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer)
    # The last Shenzhen calendar day on which suppliers may register.
    registration_deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    organiser: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    materials: Mapped[list[TrainingMaterial]] = relationship(back_populates="training", cascade="all, delete-orphan",
                                                            order_by="TrainingMaterial.id")
    registrations: Mapped[list[TrainingRegistration]] = relationship(
        back_populates="training", cascade="all, delete-orphan", order_by="TrainingRegistration.id")

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def visible_to(cls, user):
        """The agency sees its drafts; everyone else published trainings and the cancelled ones they knew."""
        return true() if is_agency_member(user) else cls.status != "draft"

    @property
    def active_registrations(self) -> list[TrainingRegistration]:
        return [r for r in self.registrations if r.status == "registered"]

    @property
    def seats_taken(self) -> int:
        return sum(r.seats for r in self.active_registrations)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class TrainingMaterial(StoredFile, db.Model):
    """Slides, handouts or forms of a training; any signed-in user who can see the training downloads them."""

    __tablename__ = "training_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)

    training: Mapped[Training] = relationship(back_populates="materials")

    @classmethod
    def visible_to(cls, user):
        return cls.training.has(Training.visible_to(user))


class TrainingRegistration(OrgOwned, db.Model):
    """One supplier's seats at one training, with the names of who comes (one row per supplier and training)."""

    __tablename__ = "training_registrations"
    __table_args__ = (UniqueConstraint("training_id", "organisation_id",
                                       name="uq_training_registrations_training_organisation"),
                      CheckConstraint(one_of("status", REGISTRATION_STATUSES), name="status"),
                      CheckConstraint("seats > 0", name="seats"))

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    attendees: Mapped[list] = mapped_column(JSON, default=list)
    seats: Mapped[int] = mapped_column(Integer)
    # Names of the attendees the agency marked present after the event; None until attendance is taken.
    attended: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="registered")
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    training: Mapped[Training] = relationship(back_populates="registrations")
    organisation: Mapped[Organisation] = relationship()
    registered_by: Mapped[User | None] = relationship()


guidance_request_experts = Table(
    "guidance_request_experts", db.metadata,
    Column("request_id", ForeignKey("guidance_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class GuidanceRequest(OrgOwned, db.Model):
    """A supplier asks the technical agency for an expert visit to one of its sites on one topic."""

    __tablename__ = "guidance_requests"
    __table_args__ = (CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
                      CheckConstraint(one_of("topic", TOPICS), name="topic"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    topic: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text)
    preferred_dates: Mapped[list] = mapped_column(JSON, default=list)  # ISO dates, 1 to 3
    status: Mapped[str] = mapped_column(String(10), default="requested")
    visit_at: Mapped[datetime | None]
    schedule_note: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    site: Mapped[Site] = relationship()
    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped[User | None] = relationship()
    experts: Mapped[list[User]] = relationship(secondary=guidance_request_experts, order_by="User.name")
    findings: Mapped[list[GuidanceFinding]] = relationship(back_populates="request", cascade="all, delete-orphan",
                                                          order_by="GuidanceFinding.id")
    events: Mapped[list[GuidanceEvent]] = relationship(back_populates="request", cascade="all, delete-orphan",
                                                      order_by="GuidanceEvent.id")

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def visible_to(cls, user):
        return true() if is_agency_member(user) else cls.owner_clause(user.organisation_id)


class GuidanceFinding(db.Model):
    """What the experts found on the visit and what they recommend."""

    __tablename__ = "guidance_findings"
    __table_args__ = (CheckConstraint(one_of("severity", SEVERITIES), name="severity"),
                      CheckConstraint(one_of("topic", TOPICS), name="topic"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("guidance_requests.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    recommendation: Mapped[str | None] = mapped_column(Text)

    request: Mapped[GuidanceRequest] = relationship(back_populates="findings")


class GuidanceEvent(db.Model):
    """One step of a guidance request: who moved it from which state to which, and why."""

    __tablename__ = "guidance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("guidance_requests.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[GuidanceRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
