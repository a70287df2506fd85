"""Who hears of each step of an on-site guidance request, what a reschedule keeps, and what a conflict keeps."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from portal.capacity import guidance
from portal.capacity.models import GuidanceRequest
from portal.errors import ServiceError
from portal.extensions import db
from portal.notifications.models import Notification
from portal.plans.models import UpgradePlan
from tests.portal.capacity.conftest import shenzhen_input
from tests.portal.capacity.test_guidance import FINDING, _visited


def _told(kind):
    return {n.user_id for n in db.session.scalars(db.select(Notification).where(Notification.kind == kind))}


def _schedule(world, item, *experts, days=2, comment=""):
    return world.act(world.agency_client, item, "schedule", comment, expert_id=[str(u.id) for u in experts],
                     visit_at=shenzhen_input(datetime.now(UTC) + timedelta(days=days)))


def test_cancelling_a_request_not_yet_scheduled_tells_the_agency(world):
    item = world.request_visit()
    assert world.act(world.supplier, item, "cancel", "已自行整改").status_code == 302
    assert _told("guidance.cancel") == {world.agency_admin.id, world.expert.id}


def test_cancelling_a_scheduled_visit_tells_its_experts_only(world):
    item = world.request_visit()
    _schedule(world, item, world.expert)
    world.act(world.supplier, item, "cancel", "")
    assert _told("guidance.cancel") == {world.expert.id}


def test_the_experts_hear_of_their_visits_but_not_of_their_own_steps(world, make):
    second = make.user(world.agency, role="staff", name="王专家", locale="en")
    item = world.request_visit()
    assert _schedule(world, item, world.expert).status_code == 302
    assert _told("guidance.schedule") == {world.admin.id, world.expert.id}  # not the agency admin who acted
    # Moving the visit to another expert tells the one who no longer goes and the one who now goes.
    assert world.act(world.agency_client, item, "reschedule", "设备检修", expert_id=str(second.id),
                     visit_at=shenzhen_input(datetime.now(UTC) + timedelta(days=4))).status_code == 302
    assert _told("guidance.reschedule") == {world.admin.id, world.expert.id, second.id}
    assert world.act(world.client(second), item, "decline", "该主题请先参加线上培训").status_code == 302
    assert _told("guidance.decline") == {world.admin.id}  # the expert who declined is not told of it


def test_notifications_carry_the_organisation_in_both_languages(world):
    world.request_visit()
    note = db.session.scalars(db.select(Notification).where(Notification.kind == "guidance.requested")).first()
    assert note.params["org"] == {"zh": world.org.name_zh, "en": world.org.name_en}


def test_the_supplier_cannot_cancel_once_the_visit_took_place(world):
    item = world.request_visit()
    _schedule(world, item, world.expert)
    item = world.current(GuidanceRequest, item.id)
    item.visit_at = datetime.now(UTC) - timedelta(minutes=30)
    db.session.commit()
    refused = world.act(world.supplier, item, "cancel", "不需要了")
    assert refused.status_code == 422 and "can no longer be cancelled" in refused.get_data(as_text=True)
    assert world.current(GuidanceRequest, item.id).status == "scheduled"


def test_a_reschedule_keeps_the_note_and_puts_the_move_on_the_timeline(world):
    item = world.request_visit()
    _schedule(world, item, world.expert, days=2, comment="请准备加药记录")
    before = world.current(GuidanceRequest, item.id).visit_at
    page = world.agency_client.get(f"/guidance-requests/{item.id}").get_data(as_text=True)
    assert 'name="schedule_note" rows="2">请准备加药记录</textarea>' in page  # shown to keep or change
    later = datetime.now(UTC) + timedelta(days=5)
    world.act(world.agency_client, item, "reschedule", "专家出差", expert_id=str(world.expert.id),
              visit_at=shenzhen_input(later))
    item = world.current(GuidanceRequest, item.id)
    assert item.schedule_note == "请准备加药记录"
    moved = item.events[-1].comment
    shenzhen = timedelta(hours=8)
    assert (before + shenzhen).strftime("%Y-%m-%d %H:%M") in moved and "专家出差" in moved
    assert (later + shenzhen).strftime("%Y-%m-%d %H:%M") in moved
    # A note typed with the reschedule replaces it.
    world.act(world.agency_client, item, "reschedule", "", expert_id=str(world.expert.id),
              visit_at=shenzhen_input(later + timedelta(days=1)), schedule_note="请带上排污许可证")
    assert world.current(GuidanceRequest, item.id).schedule_note == "请带上排污许可证"


def test_findings_typed_on_a_request_someone_else_moved_are_shown_to_copy(world):
    item = world.request_visit()
    _schedule(world, item, world.expert)
    item = world.current(GuidanceRequest, item.id)
    stale = item.version_id
    item.visit_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    world.act(world.client(world.expert), item, "decline", "重复申请")
    response = world.agency_client.post(f"/guidance-requests/{item.id}/act", data={
        "action": "record", "version": stale, "comment": "整体运行正常", **FINDING})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "加药泵无流量计，投加量凭经验" in page and "加装计量泵和在线镍监测" in page and "整体运行正常" in page
    when = shenzhen_input(datetime.now(UTC) + timedelta(days=9))
    response = world.agency_client.post(f"/guidance-requests/{item.id}/act", data={
        "action": "reschedule", "version": stale, "visit_at": when, "expert_id": str(world.expert.id)})
    assert response.status_code == 409 and when.replace("T", " ") in response.get_data(as_text=True)


def test_one_plan_per_visit_even_when_two_clicks_cross(world, data_app, monkeypatch):
    visited = _visited(world)
    assert world.supplier.post(f"/guidance-requests/{visited.id}/plan").status_code == 302
    # The database refuses a second plan for the same visit...
    db.session.add(UpgradePlan(organisation_id=world.org.id, site_id=world.site.id, title="第二个",
                               guidance_request_id=visited.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # ...and the service says so when its own check did not see the first plan yet.
    with data_app.test_request_context():
        item = db.session.get(GuidanceRequest, visited.id)
        seen = iter([None])
        real_plan_of = guidance.plan_of
        monkeypatch.setattr(guidance, "plan_of", lambda r: next(seen, None) or real_plan_of(r))
        with pytest.raises(ServiceError) as refused:
            guidance.start_plan(item, actor=world.admin)
        assert refused.value.code == "exists"
        db.session.rollback()
    assert len(db.session.scalars(db.select(UpgradePlan)).all()) == 1
