"""On-site guidance from the request to the findings and the upgrade plan they start."""

from datetime import UTC, date, datetime, timedelta

from portal.capacity.models import GuidanceRequest
from portal.extensions import db
from portal.notifications.models import Notification
from portal.plans.models import UpgradePlan
from tests.portal.capacity.conftest import shenzhen_input

FINDING = {"finding-0-topic": "wastewater", "finding-0-severity": "high",
           "finding-0-description": "加药泵无流量计，投加量凭经验",
           "finding-0-recommendation": "加装计量泵和在线镍监测",
           "finding-1-topic": "hazardous_waste", "finding-1-severity": "medium",
           "finding-1-description": "污泥暂存间无防渗标识", "finding-1-recommendation": ""}


def _visited(world):
    item = world.request_visit()
    world.act(world.agency_client, item, "schedule", "请准备加药记录",
              visit_at=shenzhen_input(datetime.now(UTC) + timedelta(days=2)), expert_id=str(world.expert.id))
    item = world.current(GuidanceRequest, item.id)
    item.visit_at = datetime.now(UTC) - timedelta(hours=3)  # the visit took place
    db.session.commit()
    response = world.act(world.agency_client, item, "record", "整体运行正常", **FINDING)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return world.current(GuidanceRequest, item.id)


def test_a_request_names_one_of_the_suppliers_own_sites(world):
    soon = (date.today() + timedelta(days=5)).isoformat()
    response = world.supplier.post("/guidance-requests/new", data={
        "site_id": world.other_site.id, "topic": "vocs", "description": "喷涂线异味", "preferred_1": soon})
    assert response.status_code == 422 and "Choose one of your sites" in response.get_data(as_text=True)
    assert "喷涂线异味" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(GuidanceRequest)).first() is None
    # Another supplier's request is not found, whatever the route.
    item = world.request_visit()
    other = world.client(world.other_admin)
    assert other.get(f"/guidance-requests/{item.id}").status_code == 404
    assert other.post(f"/guidance-requests/{item.id}/act", data={"action": "cancel"}).status_code == 404
    assert other.post(f"/guidance-requests/{item.id}/plan").status_code == 404


def test_preferred_dates_are_one_to_three_days_after_today(world):
    shenzhen_today = (datetime.now(UTC) + timedelta(hours=8)).date()  # not the server's date
    today = shenzhen_today.isoformat()
    response = world.supplier.post("/guidance-requests/new", data={
        "site_id": world.site.id, "topic": "noise", "description": "x", "preferred_1": today, "preferred_2": "明天"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and page.count("Give a date after today.") == 2
    response = world.supplier.post("/guidance-requests/new", data={"site_id": world.site.id, "topic": "noise",
                                                                   "description": "x"})
    assert "Give at least one date" in response.get_data(as_text=True)
    tomorrow = (shenzhen_today + timedelta(days=1)).isoformat()
    response = world.supplier.get("/guidance-requests/new")
    assert f'min="{tomorrow}"' in response.get_data(as_text=True)  # the date picker starts tomorrow
    later = [(shenzhen_today + timedelta(days=n)).isoformat() for n in (9, 3, 1)]
    item = world.request_visit(preferred_1=later[0], preferred_2=later[1], preferred_3=later[2])
    assert item.preferred_dates == [later[2], later[1], later[0]]  # sorted; tomorrow in Shenzhen is fine
    item = world.request_visit(preferred_1=later[0], preferred_2=later[1], preferred_3=later[1])
    assert item.preferred_dates == [later[1], later[0]]  # the repeated day once


def test_only_supplier_admins_request_visits(world):
    staff = world.client(world.staff)
    assert staff.get("/guidance-requests/new").status_code == 403
    assert world.agency_client.get("/guidance-requests/new").status_code == 403


def test_the_agency_schedules_visits_and_records_findings_on_the_timeline(world):
    item = world.request_visit()
    assert {n.user_id for n in db.session.scalars(db.select(Notification).where(
        Notification.kind == "guidance.requested"))} == {world.agency_admin.id, world.expert.id}
    page = world.agency_client.get(f"/guidance-requests/{item.id}").get_data(as_text=True)
    assert "Schedule the visit" in page and "陈专家" in page
    # The experts come from the agency's own members: a supplier's user id is refused.
    when = shenzhen_input(datetime.now(UTC) + timedelta(days=2))
    refused = world.act(world.agency_client, item, "schedule", "", visit_at=when, expert_id=str(world.admin.id))
    assert refused.status_code == 422 and world.current(GuidanceRequest, item.id).status == "requested"
    # Findings cannot be recorded before the visit.
    world.act(world.agency_client, item, "schedule", "请准备加药记录", visit_at=when, expert_id=str(world.expert.id))
    item = world.current(GuidanceRequest, item.id)
    assert item.status == "scheduled" and [u.id for u in item.experts] == [world.expert.id]
    early = world.act(world.agency_client, item, "record", "", **FINDING)
    assert early.status_code == 422 and "加药泵无流量计" in early.get_data(as_text=True)  # kept, to copy from
    visit_day = (item.visit_at + timedelta(hours=8)).date()
    for page in (early.get_data(as_text=True),
                 world.agency_client.get(f"/guidance-requests/{item.id}").get_data(as_text=True)):
        assert 'name="finding-0-topic"' not in page  # the form only from the visit day on, with the day instead
        assert f"The findings can be recorded from {visit_day.strftime('%b')}" in page
    visited = _visited(world)
    assert visited.status == "visited"
    assert [(f.topic, f.severity) for f in visited.findings] == [("wastewater", "high"), ("hazardous_waste", "medium")]
    page = world.supplier.get(f"/guidance-requests/{visited.id}").get_data(as_text=True)
    assert "加装计量泵和在线镍监测" in page and "Visited: findings recorded" in page and "请准备加药记录" in page
    told = [n.kind for n in db.session.scalars(db.select(Notification).where(Notification.user_id == world.admin.id)
                                               .order_by(Notification.id))]
    assert told[-3:] == ["guidance.schedule", "guidance.schedule", "guidance.record"]


def test_a_finding_without_severity_is_refused_with_everything_kept(world):
    item = world.request_visit()
    world.act(world.agency_client, item, "schedule", "", expert_id=str(world.expert.id),
              visit_at=shenzhen_input(datetime.now(UTC) + timedelta(days=1)))
    item = world.current(GuidanceRequest, item.id)
    item.visit_at = datetime.now(UTC) - timedelta(minutes=10)  # the visit took place
    db.session.commit()
    assert 'name="finding-0-topic"' in world.agency_client.get(f"/guidance-requests/{item.id}").get_data(as_text=True)
    response = world.act(world.agency_client, item, "record", "", **{**FINDING, "finding-1-severity": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose how serious it is" in page and "污泥暂存间无防渗标识" in page


def test_a_declined_request_shows_the_reason_and_a_reason_is_required(world):
    item = world.request_visit()
    refused = world.act(world.agency_client, item, "decline", "")
    assert refused.status_code == 422 and world.current(GuidanceRequest, item.id).status == "requested"
    world.act(world.agency_client, item, "decline", "该主题请先参加线上培训")
    page = world.supplier.get(f"/guidance-requests/{item.id}").get_data(as_text=True)
    assert "该主题请先参加线上培训" in page and "Declined" in page


def test_a_stale_page_is_a_conflict_that_keeps_the_typed_text(world):
    item = world.request_visit()
    stale = item.version_id
    world.agency_client.post(f"/guidance-requests/{item.id}/act", data={
        "action": "schedule", "version": stale, "expert_id": world.expert.id, "comment": "",
        "visit_at": shenzhen_input(datetime.now(UTC) + timedelta(days=2))})
    response = world.supplier.post(f"/guidance-requests/{item.id}/act", data={
        "action": "cancel", "version": stale, "comment": "我们已自行整改完毕"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this request" in page and "我们已自行整改完毕" in page
    assert world.current(GuidanceRequest, item.id).status == "scheduled"


def test_findings_start_one_draft_plan_for_the_visited_site(world):
    visited = _visited(world)
    staff = world.client(world.staff)
    staff.post(f"/guidance-requests/{visited.id}/plan")
    assert db.session.scalars(db.select(UpgradePlan)).first() is None  # staff cannot
    response = world.supplier.post(f"/guidance-requests/{visited.id}/plan")
    plan = db.session.scalars(db.select(UpgradePlan)).one()
    assert response.headers["Location"].endswith(f"/plans/{plan.id}")
    assert (plan.status, plan.site_id, plan.guidance_request_id) == ("draft", world.site.id, visited.id)
    page = world.supplier.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "加药泵无流量计，投加量凭经验" in page and "High: a compliance risk to fix first" in page
    world.supplier.post(f"/guidance-requests/{visited.id}/plan")
    assert len(db.session.scalars(db.select(UpgradePlan)).all()) == 1  # one plan per visit
    assert "An upgrade plan was started from these findings" in world.supplier.get(
        f"/guidance-requests/{visited.id}").get_data(as_text=True)


def test_dashboards_list_what_is_next(world):
    item = world.request_visit()
    assert "On-site guidance requests to schedule" in world.agency_client.get("/dashboard").get_data(as_text=True)
    world.act(world.agency_client, item, "schedule", "", expert_id=str(world.expert.id),
              visit_at=shenzhen_input(datetime.now(UTC) + timedelta(days=2)))
    training = world.published_training()
    world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "张三"})
    page = world.supplier.get("/dashboard").get_data(as_text=True)
    assert "Expert visit: Wastewater treatment and discharge" in page and "VOCs 治理实务" in page
    item = world.current(GuidanceRequest, item.id)
    item.visit_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    assert "Visits whose findings are not recorded yet" in world.agency_client.get("/dashboard").get_data(
        as_text=True)
