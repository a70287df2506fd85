"""Parallel registrations for the last seats of a training never take more seats than there are, whatever the
agency changes at the same moment."""

import threading

import pytest

from portal.capacity.models import Training, TrainingRegistration
from portal.extensions import db
from portal.notifications.models import Notification
from tests.conftest import is_postgres


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: SQLite serialises writers anyway")
def test_parallel_registrations_never_exceed_the_capacity(world, make):
    url = f"/trainings/{world.published_training(capacity='4').id}/register"
    clients = [world.client(make.user(make.org("supplier"))) for _ in range(6)]
    barrier, codes = threading.Barrier(len(clients)), []

    def register(client):
        barrier.wait()
        codes.append(client.post(url, data={"attendees": "甲\n乙"}).status_code)

    threads = [threading.Thread(target=register, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    seats = db.session.scalars(db.select(TrainingRegistration.seats).where(
        TrainingRegistration.status == "registered")).all()
    assert sum(seats) == 4 and sorted(codes) == [302, 302, 422, 422, 422, 422]


def _race(*calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        call()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: SQLite serialises writers anyway")
def test_lowering_the_capacity_while_suppliers_register_never_leaves_more_seats_taken(world, make):
    training = world.published_training(capacity="6")
    url = f"/trainings/{training.id}/register"
    clients = [world.client(make.user(make.org("supplier"))) for _ in range(3)]
    form = {**world.training_form(capacity="2"), "version": training.version_id}
    edit = f"/trainings/{training.id}/edit"
    _race(*[lambda c=c: c.post(url, data={"attendees": "甲\n乙"}) for c in clients],
          lambda: world.agency_client.post(edit, data=form))
    db.session.expire_all()
    training = db.session.get(Training, training.id)
    assert training.seats_taken <= training.capacity


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: SQLite serialises writers anyway")
def test_a_registration_racing_a_cancel_is_refused_or_told(world, make):
    training = world.published_training()
    url, cancel = f"/trainings/{training.id}/register", {"action": "cancel", "reason": "讲师生病",
                                                        "version": training.version_id}
    admins = [make.user(make.org("supplier")) for _ in range(3)]
    clients = [world.client(admin) for admin in admins]
    _race(*[lambda c=c: c.post(url, data={"attendees": "甲"}) for c in clients],
          lambda act=f"/trainings/{training.id}/act": world.agency_client.post(act, data=cancel))
    db.session.expire_all()
    assert db.session.get(Training, training.id).status == "cancelled"
    registered = {r.organisation_id for r in db.session.scalars(db.select(TrainingRegistration).where(
        TrainingRegistration.status == "registered"))}
    told = {n.user_id for n in db.session.scalars(db.select(Notification).where(
        Notification.kind == "training.cancelled"))}
    assert {a.id for a in admins if a.organisation_id in registered} == told
