"""Objections to a funding application's public notice (项目公示): anyone may file one while the notice period runs,
in writing and with a real name and a contact (anonymous objections are not accepted; DOMAIN.md §7). The authority
records how each was resolved, and the notice cannot end before the period is over and every objection resolved.
An upheld objection means the notice cannot end as it is: the authority rejects the application or reconsiders the
amount (back to the decision; approving again starts a new notice period).

An objection's own text never appears on a public page; the public sees how many were received and the
resolution the authority wrote for publication."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import url_for
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.audit.services import record_event
from portal.auth.models import User
from portal.database import one_of, utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding.models import ApplicationEvent, FundingApplication
from portal.locale_format import day
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.notifications.recipients import AUTHORITY, members_of_kind
from portal.orgs.membership import active_admins
from portal.orgs.models import OrgKind
from portal.requesters import address_hash

OBJECTION_STATUSES = ("received", "upheld", "dismissed")
OUTCOMES = ("upheld", "dismissed")
OUTCOME_LABELS = {"received": _l("being handled"), "upheld": _l("upheld"), "dismissed": _l("dismissed")}
MAX_TEXT = 5000
MAX_RESOLUTION = 2000  # published on the notice page
CONFLICT = _l("Someone else recorded a resolution of this objection while you were working on it. Check it and "
              "try again.")


def reads_objections(user) -> bool:
    """Only the environmental authority, which decides on objections, reads them: an objector's name, contact and
    text go to nobody else (not its technical agency, whose experts may have scored the application)."""
    return bool(user.is_authenticated and user.organisation_id is not None and user.org_kind == OrgKind.AUTHORITY)


def resolves_objections(user) -> bool:
    return reads_objections(user)


class Objection(db.Model):
    __tablename__ = "funding_objections"
    __table_args__ = (
        CheckConstraint(one_of("status", OBJECTION_STATUSES), name="status"),
        CheckConstraint("status = 'received' OR (resolution IS NOT NULL AND resolved_at IS NOT NULL)",
                        name="resolved"),
        CheckConstraint(f"resolution IS NULL OR length(resolution) <= {MAX_RESOLUTION}", name="resolution_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_applications.id", ondelete="CASCADE"),
                                                index=True)
    name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A keyed hash of the sender's address: enough to see repeated senders, not the address itself.
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="received")
    # Written by the authority for publication on the notice page.
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    application: Mapped[FundingApplication] = relationship()
    resolved_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def visible_to(cls, user):
        return true() if reads_objections(user) else false()


def is_open_for_objections(application: FundingApplication, today: date) -> bool:
    return (application.status == "public_notice" and application.notice_starts_on is not None
            and application.notice_ends_on is not None
            and application.notice_starts_on <= today <= application.notice_ends_on)


def objections_of(application: FundingApplication) -> list[Objection]:
    return list(db.session.scalars(select(Objection).where(Objection.application_id == application.id)
                                   .order_by(Objection.submitted_at, Objection.id)))


def file_objection(application: FundingApplication, *, name: str, contact: str, text: str, address: str | None,
                   today: date) -> Objection:
    if not is_open_for_objections(application, today):
        raise ServiceError(_l("Objections to this notice are accepted only during its notice period."),
                           code="closed")
    name, contact, text = name.strip(), contact.strip(), text.strip()
    for field, value, message in (("name", name, _l("Give your real name: anonymous objections are not accepted.")),
                                  ("contact", contact, _l("Give a telephone number, e-mail or postal address so "
                                                          "that the authority can answer you.")),
                                  ("text", text, _l("Write what you object to and why."))):
        if not value:
            raise ServiceError(message, field=field)
    objection = Objection(application_id=application.id, name=name, contact=contact, text=text[:MAX_TEXT],
                          ip_hash=address_hash(address))
    db.session.add(objection)
    db.session.flush()
    notify(members_of_kind(AUTHORITY), "funding.objection_filed", mail_template="notification",
           ref=application.reference,
           link=url_for("funding.application", application_id=application.id, _anchor="objections"))
    return objection


def resolve(objection: Objection, outcome: str, resolution: str, *, expected_version: int | None, actor) -> None:
    check_version(objection, expected_version, CONFLICT)
    if objection.status != "received":
        raise ServiceError(_l("This objection is already resolved."), code="resolved")
    if outcome not in OUTCOMES:
        raise ServiceError(_l("Choose whether the objection is upheld or dismissed."), field="outcome")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError(_l("Write the resolution: it is published on the notice page."), field="resolution")
    if len(resolution) > MAX_RESOLUTION:
        raise ServiceError(_l("Keep the resolution under %(most)d characters.", most=MAX_RESOLUTION),
                           field="resolution")
    actor_id = actor.id  # read before the first change: loading it must not flush a half-resolved row
    objection.status, objection.resolution, objection.resolved_by_id, objection.resolved_at = (
        outcome, resolution, actor_id, utcnow())
    flush_or_conflict(CONFLICT)
    record_event("funding.objection_resolved", objection, actor=actor,
                 organisation_id=objection.application.organisation_id,
                 summary={"application": objection.application.reference, "outcome": outcome,
                          "resolution": resolution})
    if outcome == "upheld":  # the supplier learns that its amount is decided again (or the application rejected)
        application = objection.application
        notify(active_admins(application.organisation_id), "funding.objection_upheld", mail_template="notification",
               ref=application.reference, link=url_for("funding.application", application_id=application.id))


def current_notice_began(application: FundingApplication) -> datetime | None:
    """When the application's current notice period started: its latest start_notice step, else the first moment
    of its first day (Shenzhen time)."""
    started = db.session.scalar(select(db.func.max(ApplicationEvent.at)).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.action == "start_notice"))
    if started is not None:
        return started if started.tzinfo else started.replace(tzinfo=UTC)
    if application.notice_starts_on is None:
        return None
    return get_timezone().localize(datetime.combine(application.notice_starts_on, time.min)).astimezone(UTC)


def upheld_in_current_notice(application: FundingApplication) -> int:
    began = current_notice_began(application)
    if began is None:
        return 0
    return db.session.scalar(select(db.func.count()).select_from(Objection).where(
        Objection.application_id == application.id, Objection.status == "upheld", Objection.submitted_at >= began))


def require_resolved(application: FundingApplication, today: date) -> None:
    """The notice ends only after its last day and once every objection has its resolution recorded."""
    if application.notice_ends_on is not None and today <= application.notice_ends_on:
        raise ServiceError(_l("The notice period runs until %(end)s; it can be concluded from the next day.",
                              end=day(application.notice_ends_on)), code="notice_running")
    open_count = db.session.scalar(select(db.func.count()).select_from(Objection).where(
        Objection.application_id == application.id, Objection.status == "received"))
    if open_count:
        raise ServiceError(_l("%(count)d objection(s) to this notice have no resolution yet: record how each was "
                              "resolved first.", count=open_count), code="objections_open")
    if upheld_in_current_notice(application):
        raise ServiceError(_l("An objection to this notice was upheld, so the notice cannot end as it is: reject the "
                              "application, or reconsider the amount (it goes back to the decision; approving it "
                              "again starts a new notice period)."), code="objection_upheld")
