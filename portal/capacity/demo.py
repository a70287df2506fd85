"""Demo capacity building: two published trainings of the demo technical agency (one in person, one online)
and one on-site guidance request of the demo supplier waiting to be scheduled. Titles are generic and marked
as demo: they are not trainings of any real body. Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.auth.models import User
from portal.capacity.models import GuidanceEvent, GuidanceRequest, Training
from portal.extensions import db
from portal.sites.models import Site

SHENZHEN = ZoneInfo("Asia/Shanghai")
DEMO_TRAININGS = [
    # title, days from now, start, end (Shenzhen time), mode, place or link, seats, description
    ("VOCs治理设施运行维护实务（演示）", 14, time(9, 30), time(12, 0), "in_person",
     "深圳市演示路6号 技术审查中心三楼培训室", 40,
     "面向喷涂、印刷、电子组装企业的环保负责人：活性炭更换周期、运行台账和废气收集效率的常见问题。请携带本厂台账。"),
    ("危险废物贮存与转移联单填报（线上，演示）", 21, time(14, 0), time(16, 0), "online",
     "https://meeting.example.com/demo-hazardous-waste", 200,
     "危险废物贮存场所的标识与台账，转移联单的填写和常见退回原因；最后30分钟答疑。"),
]
DEMO_REQUESTER = "supplier@demo.local"
DEMO_REQUEST = "电镀废水处理站出水镍浓度偶有接近排放限值，希望专家现场查看处理工艺和加药控制。"


def _at(day, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=SHENZHEN).astimezone(UTC)


def load_demo_capacity(organisations: dict, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    today = now.astimezone(SHENZHEN).date()
    agency, supplier, created = organisations.get("agency"), organisations.get("supplier"), 0
    for title, days, start, end, mode, where, seats, description in DEMO_TRAININGS if agency is not None else ():
        if db.session.scalars(select(Training).where(Training.title == title)).first() is not None:
            continue
        day = today + timedelta(days=days)
        db.session.add(Training(
            organiser_id=agency.id, title=title, description=description, starts_at=_at(day, start),
            ends_at=_at(day, end), mode=mode, place=where if mode == "in_person" else None,
            online_link=where if mode == "online" else None, capacity=seats,
            registration_deadline=day - timedelta(days=3), status="published"))
        created += 1
    site = supplier and db.session.scalars(select(Site).where(Site.organisation_id == supplier.id)
                                           .order_by(Site.id)).first()
    if site is not None and db.session.scalars(select(GuidanceRequest).where(
            GuidanceRequest.description == DEMO_REQUEST)).first() is None:
        admin = db.session.scalars(select(User).where(User.email == DEMO_REQUESTER)).first()
        visit = GuidanceRequest(organisation_id=supplier.id, site=site, topic="wastewater", description=DEMO_REQUEST,
                                preferred_dates=[(today + timedelta(days=n)).isoformat() for n in (10, 12)],
                                requested_by=admin)
        visit.events.append(GuidanceEvent(action="create", to_status="requested", actor=admin))
        db.session.add(visit)
        created += 1
    return created
