"""Changes to a training read the registrations from the database after taking the training's lock, so a
registration made since the page was loaded is counted and told; the registrants are told in a few queries."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from portal.capacity import trainings
from portal.capacity.models import Training, TrainingRegistration
from portal.errors import ServiceError
from portal.extensions import db
from portal.notifications.models import Notification


def _registered_meanwhile(training, organisation, by, names):
    """A registration written behind the back of the `Training` already loaded (as another request would)."""
    db.session.execute(sa.insert(TrainingRegistration).values(
        training_id=training.id, organisation_id=organisation.id, attendees=names, seats=len(names),
        status="registered", registered_by_id=by.id))


@contextmanager
def _statements():
    ran = []

    def record(conn, cursor, statement, *args):
        ran.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_lowering_the_capacity_counts_registrations_made_since_the_page_loaded(world, data_app):
    training = world.published_training(capacity="5")
    with data_app.test_request_context():
        loaded = db.session.get(Training, training.id)
        assert loaded.registrations == []
        _registered_meanwhile(loaded, world.org, world.admin, ["甲", "乙", "丙"])
        values, errors = trainings.read_training(world.training_form(capacity="2"))
        assert errors == {}
        with pytest.raises(ServiceError) as refused:
            trainings.update_training(loaded, values, expected_version=loaded.version_id, actor=world.agency_admin)
        assert refused.value.field == "capacity" and "3" in str(refused.value.message)
        db.session.rollback()
    assert world.current(Training, training.id).capacity == 5


def test_cancelling_tells_a_supplier_that_registered_since_the_page_loaded(world, data_app):
    training = world.published_training()
    with data_app.test_request_context():
        loaded = db.session.get(Training, training.id)
        assert loaded.active_registrations == []
        _registered_meanwhile(loaded, world.org, world.staff, ["张三"])
        trainings.cancel(loaded, "场地维修", expected_version=loaded.version_id, actor=world.agency_admin)
        db.session.commit()
    told = {n.user_id for n in db.session.scalars(db.select(Notification).where(
        Notification.kind == "training.cancelled"))}
    assert told == {world.admin.id, world.staff.id}


def test_registrants_are_told_in_a_fixed_number_of_queries(world, make, data_app):
    training = world.published_training(capacity="20")
    for _n in range(4):
        world.client(make.user(make.org("supplier"))).post(f"/trainings/{training.id}/register",
                                                           data={"attendees": "甲\n乙"})
    with data_app.test_request_context():
        loaded = db.session.get(Training, training.id)
        with _statements() as ran:
            trainings.cancel(loaded, "讲师生病", expected_version=loaded.version_id, actor=world.agency_admin)
            db.session.flush()
        db.session.commit()
    users = [s for s in ran if "FROM users" in s]
    # The admins of all the suppliers at once, who registered at once, and the actor's row (not one per supplier).
    assert len(users) <= 3, users
    assert len(db.session.scalars(db.select(Notification).where(Notification.kind == "training.cancelled")).all()) == 4


def test_the_attendee_list_loads_who_registered_at_once(world, make, queries_of):
    training = world.published_training(capacity="20")
    for _n in range(4):
        world.client(make.user(make.org("supplier"))).post(f"/trainings/{training.id}/register",
                                                           data={"attendees": "甲"})
    response, ran = queries_of(world.agency_client, f"/trainings/{training.id}/attendees.xlsx", statements=True)
    assert response.status_code == 200
    assert len([s for s in ran if "FROM users" in s]) <= 2  # the signed-in user and one for all registrants


@pytest.mark.parametrize("capacity", ["²", "٣", "3.5", "-1"])
def test_odd_digits_in_the_capacity_are_a_form_error(world, capacity):
    response = world.agency_client.post("/trainings/new", data=world.training_form(capacity=capacity))
    assert response.status_code in (302, 422)
    if capacity != "٣":  # Arabic-Indic three is a decimal digit: int() reads it
        assert response.status_code == 422 and "from 1 to" in response.get_data(as_text=True)


def test_odd_digits_in_the_attendance_list_are_ignored(world):
    training = world.published_training()
    response = world.agency_client.post(f"/trainings/{training.id}/attendance", data={"present": "²:张三"})
    assert response.status_code == 302

