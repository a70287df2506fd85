"""A capacity-building world: the technical agency with two members, a supplier (admin, staff, two sites) and a
second supplier with its own site."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.capacity.models import GuidanceRequest, Training
from portal.extensions import db
from portal.sites.models import Site
from tests.conftest import login


def shenzhen_input(moment: datetime) -> str:
    """A `datetime-local` value for `moment` in Shenzhen time (UTC+8, no daylight saving)."""
    return (moment.astimezone(UTC) + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


class CapacityWorld:
    def __init__(self, app, make):
        self.app, self.make = app, make
        self.agency = make.org("agency")
        self.agency_admin = make.user(self.agency, name="刘审查", locale="en")
        self.expert = make.user(self.agency, role="staff", name="陈专家", locale="en")
        self.org = make.org("supplier")
        self.admin = make.user(self.org, locale="en")
        self.staff = make.user(self.org, role="staff", locale="en")
        self.site = Site(organisation_id=self.org.id, name="宝安一厂")
        self.other_org = make.org("supplier")
        self.other_admin = make.user(self.other_org, locale="en")
        self.other_site = Site(organisation_id=self.other_org.id, name="外厂")
        db.session.add_all([self.site, self.other_site])
        db.session.commit()
        self.supplier, self.agency_client = self.client(self.admin), self.client(self.agency_admin)

    def client(self, user):
        client = self.app.test_client()
        login(client, user)
        return client

    def training_form(self, **changes):
        starts = datetime.now(UTC) + timedelta(days=10)
        form = {"title": "VOCs 治理实务", "description": "活性炭更换", "starts_at": shenzhen_input(starts),
                "ends_at": shenzhen_input(starts + timedelta(hours=3)), "mode": "in_person",
                "place": "深圳市演示路6号 三楼", "online_link": "", "capacity": "5",
                "registration_deadline": (starts - timedelta(days=2)).date().isoformat()}
        form.update(changes)
        return form

    def published_training(self, capacity="5", **changes) -> Training:
        response = self.agency_client.post("/trainings/new", data=self.training_form(capacity=capacity, **changes))
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        training = self.current(Training)
        response = self.agency_client.post(f"/trainings/{training.id}/act",
                                           data={"action": "publish", "version": training.version_id})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return self.current(Training)

    def current(self, model, object_id=None):
        db.session.expire_all()
        stmt = db.select(model)
        if object_id is not None:
            stmt = stmt.where(model.id == object_id)
        return db.session.scalars(stmt.order_by(model.id.desc())).first()

    def request_visit(self, **changes) -> GuidanceRequest:
        soon = datetime.now(UTC).date() + timedelta(days=7)
        form = {"site_id": self.site.id, "topic": "wastewater", "description": "出水镍偶有超标",
                "preferred_1": soon.isoformat(), **changes}
        response = self.supplier.post("/guidance-requests/new", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return self.current(GuidanceRequest)

    def act(self, client, item, action, comment="", **extra):
        item = self.current(GuidanceRequest, item.id)
        return client.post(f"/guidance-requests/{item.id}/act",
                           data={"action": action, "comment": comment, "version": item.version_id, **extra})


@pytest.fixture
def world(app, make):
    return CapacityWorld(app, make)
