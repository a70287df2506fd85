"""What's next in capacity building: trainings the supplier registered for and visits it expects (suppliers);
requests to schedule and visits whose findings wait to be recorded (the technical agency)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.capacity.catalogue import topic_label
from portal.capacity.models import GuidanceRequest, Training, TrainingRegistration
from portal.dashboard.tasks import Task
from portal.database import utcnow
from portal.extensions import db
from portal.locale_format import moment


def supplier_tasks(user) -> list[Task]:
    now, tasks = utcnow(), []
    trainings = db.session.scalars(select(Training).join(TrainingRegistration).where(
        TrainingRegistration.organisation_id == user.organisation_id, TrainingRegistration.status == "registered",
        Training.status == "published", Training.ends_at > now).order_by(Training.starts_at))
    for training in trainings:
        tasks.append(Task(str(training.title), str(_l("Training on %(when)s; your company is registered.",
                                                      when=moment(training.starts_at))),
                          url_for("capacity.training", training_id=training.id), str(_l("Open"))))
    visits = db.session.scalars(select(GuidanceRequest).where(
        GuidanceRequest.organisation_id == user.organisation_id, GuidanceRequest.status == "scheduled")
        .options(selectinload(GuidanceRequest.site)).order_by(GuidanceRequest.visit_at))
    for visit in visits:
        tasks.append(Task(str(_l("Expert visit: %(topic)s", topic=topic_label(visit.topic))),
                          str(_l("%(site)s, %(when)s", site=visit.site.name,
                                 when=moment(visit.visit_at))),
                          url_for("capacity.guidance_request", guidance_request_id=visit.id), str(_l("Open"))))
    return tasks


def agency_tasks(user) -> list[Task]:
    waiting = db.session.scalar(select(func.count()).select_from(GuidanceRequest).where(
        GuidanceRequest.status == "requested"))
    to_record = db.session.scalar(select(func.count()).select_from(GuidanceRequest).where(
        GuidanceRequest.status == "scheduled", GuidanceRequest.visit_at <= utcnow()))
    tasks = []
    if waiting:
        tasks.append(Task(str(_l("On-site guidance requests to schedule")),
                          ngettext("%(num)d waiting", "%(num)d waiting", waiting),
                          url_for("capacity.guidance_requests", status="requested"), str(_l("Schedule"))))
    if to_record:
        tasks.append(Task(str(_l("Visits whose findings are not recorded yet")),
                          ngettext("%(num)d waiting", "%(num)d waiting", to_record),
                          url_for("capacity.guidance_requests", status="scheduled"), str(_l("Record findings"))))
    return tasks
