"""Trainings: the technical agency writes, publishes and cancels them and attaches materials; suppliers register
their organisation with the names of who comes, never beyond the seats there are; attendance after the event."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import files, local_time
from portal.audit.services import changes, record_event, snapshot
from portal.capacity.models import TRAINING_MODES, Training, TrainingMaterial, TrainingRegistration
from portal.capacity.workflow import runs_trainings
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.orgs.membership import active_admins_of

CONFLICT = _l("Someone else changed this training while you were editing it. What you typed is still in the form; "
              "check it against the current training and save again.")
FIELDS = ("title", "description", "starts_at", "ends_at", "mode", "place", "online_link", "capacity",
          "registration_deadline")
MAX_ATTENDEES = 50  # names on one registration; a larger group talks to the agency first
MAX_CAPACITY = 5000
STARTS_IN_PAST = _l("This time has passed: a training starts in the future.")
DEADLINE_PAST = _l("This day has passed: registration closes today or later.")


def read_training(form, current: Training | None = None) -> tuple[dict, dict]:
    """(values, errors by field) from the training form; times are Shenzhen time. A start or a last day to register
    already past is refused unless it is the one `current` (the training edited) already has."""
    values, errors = {key: (form.get(key) or "").strip() for key in FIELDS}, {}
    if not values["title"]:
        errors["title"] = _l("Give the training a title.")
    starts, ends = local_time.parse_local(values["starts_at"]), local_time.parse_local(values["ends_at"])
    if starts is None:
        errors["starts_at"] = _l("Enter the date and time it starts.")
    elif starts <= utcnow() and (current is None or local_time.input_value(starts) !=
                                 local_time.input_value(current.starts_at)):  # to the minute, as the form shows it
        errors["starts_at"] = STARTS_IN_PAST
    if ends is None:
        errors["ends_at"] = _l("Enter the date and time it ends.")
    elif starts is not None and ends <= starts:
        errors["ends_at"] = _l("The end must be after the start.")
    if values["mode"] not in TRAINING_MODES:
        errors["mode"] = _l("Choose in person or online.")
    elif values["mode"] == "in_person" and not values["place"]:
        errors["place"] = _l("Give the address of the venue, with the room.")
    elif values["mode"] == "online" and urlparse(values["online_link"]).scheme not in ("https", "http"):
        errors["online_link"] = _l("Give the meeting link, starting with https://.")
    capacity = int(values["capacity"]) if values["capacity"].isdecimal() else 0  # "²".isdigit() is True
    if not 0 < capacity <= MAX_CAPACITY:
        errors["capacity"] = _l("Enter the number of seats, a whole number from 1 to %(most)d.", most=MAX_CAPACITY)
    deadline = local_time.parse_day(values["registration_deadline"])
    if deadline is None:
        errors["registration_deadline"] = _l("Enter the last day to register.")
    elif starts is not None and deadline > local_time.local_day(starts):
        errors["registration_deadline"] = _l("Registration must close on or before the day the training starts.")
    elif deadline < local_time.today() and (current is None or deadline != current.registration_deadline):
        errors["registration_deadline"] = DEADLINE_PAST
    return {**values, "starts_at": starts, "ends_at": ends, "capacity": capacity, "registration_deadline": deadline,
            "place": values["place"] if values["mode"] == "in_person" else None,
            "online_link": values["online_link"] if values["mode"] == "online" else None,
            "description": values["description"] or None}, errors


def create_training(values: dict, *, actor) -> Training:
    training = Training(organiser_id=actor.organisation_id, created_by_id=actor.id,
                        **{key: values[key] for key in FIELDS})
    db.session.add(training)
    record_event("training.created", training, actor=actor, organisation_id=training.organiser_id,
                 summary=snapshot(training, FIELDS))
    return training


def update_training(training: Training, values: dict, *, expected_version: int | None, actor) -> None:
    training = _locked(training.id)  # a registration for the last seats waits, or is counted below
    check_version(training, expected_version, CONFLICT)
    if training.status == "cancelled":
        raise ServiceError(_l("A cancelled training cannot be changed."), code="cancelled")
    if values["capacity"] < (taken := seats_taken(training.id)):
        raise ServiceError(ngettext("%(num)d seat is already taken; the capacity cannot be lower.",
                                    "%(num)d seats are already taken; the capacity cannot be lower.", taken),
                           field="capacity")
    before = snapshot(training, FIELDS)
    for key in FIELDS:
        setattr(training, key, values[key])
    flush_or_conflict(CONFLICT)
    if diff := changes(before, snapshot(training, FIELDS)):
        record_event("training.updated", training, actor=actor, organisation_id=training.organiser_id, summary=diff)
    if training.status == "published" and set(diff) & {"starts_at", "ends_at", "mode", "place", "online_link"}:
        _tell_registered(training, "training.changed", when=local_time.text(training.starts_at))


def publish(training: Training, *, expected_version: int | None, actor) -> None:
    training = _locked(training.id)
    check_version(training, expected_version, CONFLICT)
    if training.status != "draft":
        raise ServiceError(_l("Only a draft training can be published."), code="not_allowed")
    if training.starts_at <= utcnow():
        raise ServiceError(_l("This training has already started; change its dates before publishing it."),
                           field="starts_at")
    if training.registration_deadline < local_time.today():
        raise ServiceError(_l("Registration for this training closed on %(day)s; change the last day to register "
                              "before publishing it.", day=format_date(training.registration_deadline)),
                           field="registration_deadline")
    training.status = "published"
    flush_or_conflict(CONFLICT)
    record_event("training.published", training, actor=actor, organisation_id=training.organiser_id,
                 summary={"title": training.title})


def cancel(training: Training, reason: str, *, expected_version: int | None, actor) -> None:
    """Cancels the training and tells every registered supplier, including one that registered a moment ago."""
    training = _locked(training.id)  # registrations wait for the lock, then find the training cancelled
    check_version(training, expected_version, CONFLICT)
    if training.status == "cancelled":
        raise ServiceError(_l("This training is already cancelled."), code="not_allowed")
    if not (reason or "").strip():
        raise ServiceError(_l("Say why the training is cancelled: registered suppliers read it."), field="reason")
    training.status, training.cancel_reason = "cancelled", reason.strip()
    flush_or_conflict(CONFLICT)
    registrations = _active_registrations(training.id)
    record_event("training.cancelled", training, actor=actor, organisation_id=training.organiser_id,
                 summary={"reason": training.cancel_reason, "registrations": len(registrations)})
    _tell_registered(training, "training.cancelled", registrations, starts_on=local_time.local_day(training.starts_at),
                     reason=training.cancel_reason)


def _active_registrations(training_id: int) -> list[TrainingRegistration]:
    """Read from the database (after the lock), not from a list loaded before it."""
    return list(db.session.scalars(select(TrainingRegistration).where(
        TrainingRegistration.training_id == training_id, TrainingRegistration.status == "registered")
        .options(selectinload(TrainingRegistration.registered_by)).order_by(TrainingRegistration.id)
        .execution_options(populate_existing=True)))


def _tell_registered(training: Training, kind: str, registrations=None, **params) -> None:
    """Each registered supplier's admins and the person who registered hear of a change to the training."""
    if registrations is None:
        registrations = _active_registrations(training.id)
    admins = active_admins_of({r.organisation_id for r in registrations})
    people = [user for r in registrations for user in (*admins.get(r.organisation_id, ()), r.registered_by)]
    notify(people, kind, mail_template="notification", link=url_for("capacity.training", training_id=training.id),
           title=training.title, **params)


def read_attendees(text: str) -> list[str]:
    """One name a line (or separated by commas or 、), blanks dropped, each at most 100 characters."""
    names = []
    for line in (text or "").replace("、", "\n").replace(",", "\n").replace("，", "\n").splitlines():
        if name := line.strip()[:100]:
            names.append(name)
    return names


def _locked(training_id: int) -> Training:
    # The row lock serialises registrations for one training (PostgreSQL); the seats are counted after taking it.
    return db.session.scalars(select(Training).where(Training.id == training_id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def seats_taken(training_id: int) -> int:
    """Seats of active registrations, counted in the database (after the lock, not from a loaded list)."""
    return db.session.scalar(select(func.coalesce(func.sum(TrainingRegistration.seats), 0)).where(
        TrainingRegistration.training_id == training_id, TrainingRegistration.status == "registered")) or 0


def sees_meeting_link(training: Training, user) -> bool:
    """The meeting link of an online training is for the agency and the suppliers registered for it."""
    return runs_trainings(user) or any(r.organisation_id == user.organisation_id
                                       for r in training.active_registrations)


def open_for_registration(training: Training) -> bool:
    return (training.status == "published" and local_time.today() <= training.registration_deadline
            and training.starts_at > utcnow())


def register(training: Training, organisation_id: int, attendees: list[str], *, actor) -> TrainingRegistration:
    """Registers (or changes the names of) a supplier's attendees; refuses what would exceed the capacity."""
    training = _locked(training.id)
    if training.status != "published":
        raise ServiceError(_l("This training is not open for registration."), code="closed")
    if not open_for_registration(training):
        raise ServiceError(_l("Registration closed on %(day)s.", day=format_date(training.registration_deadline)),
                           code="closed")
    if not attendees:
        raise ServiceError(_l("Write the name of at least one person who will attend."), field="attendees")
    if len(attendees) > MAX_ATTENDEES or len(set(attendees)) != len(attendees):
        raise ServiceError(_l("Write each attendee once, at most %(most)d names.", most=MAX_ATTENDEES),
                           field="attendees")
    registration = db.session.scalars(select(TrainingRegistration).where(
        TrainingRegistration.training_id == training.id,
        TrainingRegistration.organisation_id == organisation_id)).first()
    own = registration.seats if registration is not None and registration.status == "registered" else 0
    left = training.capacity - seats_taken(training.id) + own
    if len(attendees) > left:
        raise ServiceError(ngettext("Only %(num)d seat is left; register fewer people.",
                                    "Only %(num)d seats are left; register fewer people.", max(left, 0)),
                           field="attendees", code="full")
    if registration is None:
        registration = TrainingRegistration(training_id=training.id, organisation_id=organisation_id)
        db.session.add(registration)
    registration.attendees, registration.seats, registration.status = attendees, len(attendees), "registered"
    registration.registered_by_id = actor.id
    db.session.flush()
    record_event("training.registered", registration, actor=actor,
                 summary={"training": training.title, "attendees": attendees})
    return registration


def cancel_registration(registration: TrainingRegistration, *, actor) -> None:
    if registration.status != "registered":
        raise ServiceError(_l("This registration is already cancelled."), code="not_allowed")
    if registration.training.starts_at <= utcnow():
        raise ServiceError(_l("The training has started; the registration can no longer be cancelled."),
                           code="started")
    registration.status = "cancelled"
    record_event("training.registration_cancelled", registration, actor=actor,
                 summary={"training": registration.training.title})


def record_attendance(training: Training, present: set[tuple[int, str]], *, actor) -> None:
    """`present`: (registration id, attendee name) pairs ticked on the attendance list."""
    if training.status != "published" or training.starts_at > utcnow():
        raise ServiceError(_l("Attendance is taken once the training has started."), code="not_started")
    for registration in training.active_registrations:
        registration.attended = [n for n in registration.attendees if (registration.id, n) in present]
    record_event("training.attendance", training, actor=actor, organisation_id=training.organiser_id, summary={
        "present": sum(len(r.attended or []) for r in training.active_registrations),
        "registered": training.seats_taken})


def attach(training: Training, filename: str, data: bytes, *, actor) -> TrainingMaterial:
    if training.status == "cancelled":
        raise ServiceError(_l("A cancelled training cannot be changed."), code="cancelled")
    stored = files.store(filename, data)
    material = TrainingMaterial(uploaded_by_id=actor.id, **stored)
    training.materials.append(material)
    record_event("training.material_added", training, actor=actor, organisation_id=training.organiser_id,
                 summary={"file": material.filename, "sha256": stored["sha256"]})
    return material


def remove_material(training: Training, material_id: int, *, actor) -> None:
    material = next((m for m in training.materials if m.id == material_id), None)
    if material is None:
        raise ServiceError(_l("That file is no longer attached."), code="gone")
    training.materials.remove(material)
    record_event("training.material_removed", training, actor=actor, organisation_id=training.organiser_id,
                 summary={"file": material.filename})
