"""What's next on upgrade plans: comments to answer, approved work to start, overdue milestones (suppliers);
plans to review and to verify (the technical agency)."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.dashboard.tasks import Task
from portal.extensions import db
from portal.plans.models import UpgradePlan


def supplier_tasks(user, today: date | None = None) -> list[Task]:
    today = today or date.today()
    tasks = []
    plans = db.session.scalars(select(UpgradePlan).where(
        UpgradePlan.organisation_id == user.organisation_id,
        UpgradePlan.status.in_(("commented", "approved", "in_progress")))
        .options(selectinload(UpgradePlan.milestones)).order_by(UpgradePlan.id))
    for plan in plans:
        link = url_for("plans.detail", plan_id=plan.id)
        if plan.status == "commented":
            tasks.append(Task(str(plan.title), str(_l("The technical agency has comments: revise and resubmit.")),
                              link, str(_l("Answer"))))
        elif plan.status == "approved":
            tasks.append(Task(str(plan.title), str(_l("Approved: start the work and record the milestones.")),
                              link, str(_l("Open"))))
        else:
            overdue = [m for m in plan.milestones if m.done_on is None and m.due_date < today]
            if overdue:
                tasks.append(Task(str(plan.title), str(_l("%(count)d milestones overdue", count=len(overdue))),
                                  link, str(_l("Record progress"))))
    return tasks


def agency_tasks(user) -> list[Task]:
    counts = dict(db.session.execute(select(UpgradePlan.status, func.count()).where(
        UpgradePlan.status.in_(("submitted", "completed"))).group_by(UpgradePlan.status)).all())
    tasks = []
    if counts.get("submitted"):
        tasks.append(Task(str(_l("Upgrade plans waiting for review")),
                          str(_l("%(count)d waiting", count=counts["submitted"])),
                          url_for("plans.index", status="submitted"), str(_l("Review"))))
    if counts.get("completed"):
        tasks.append(Task(str(_l("Completed upgrade plans to verify")),
                          str(_l("%(count)d waiting", count=counts["completed"])),
                          url_for("plans.index", status="completed"), str(_l("Verify"))))
    return tasks
