"""What's next from the public: tips waiting for a decision (the authority and its technical agency) and
objections to public notices without a resolution (the authority)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.dashboard.tasks import Task
from portal.extensions import db
from portal.funding.objections import Objection, resolves_objections
from portal.public.models import Tip
from portal.records.models import reviews_records


def reviewer_tasks(user) -> list[Task]:
    tasks = []
    if reviews_records(user) and (new := db.session.scalar(select(func.count()).select_from(Tip).where(
            Tip.status == "new"))):
        tasks.append(Task(str(_l("Tips from the public waiting for review")), str(_l("%(count)d waiting", count=new)),
                          url_for("tips.queue"), str(_l("Review"))))
    if resolves_objections(user):
        for objection in db.session.scalars(select(Objection).where(Objection.status == "received")
                                            .options(joinedload(Objection.application))
                                            .order_by(Objection.submitted_at)):
            tasks.append(Task(f"{objection.application.reference} · {_l('Objection to the public notice')}",
                              str(_l("Record how it was resolved before the notice ends.")),
                              url_for("funding.application", application_id=objection.application_id,
                                      _anchor="objections"), str(_l("Resolve"))))
    return tasks
