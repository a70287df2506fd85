"""What's next on self-assessments: drafts to finish (suppliers), submitted ones to verify (buyers they were
shared with, and the technical agency)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.assessment.models import Assessment, Verification
from portal.dashboard.tasks import Task
from portal.extensions import db


def supplier_tasks(user) -> list[Task]:
    drafts = db.session.scalars(select(Assessment).where(Assessment.organisation_id == user.organisation_id,
                                                         Assessment.status == "draft").order_by(Assessment.year))
    return [Task(str(_l("%(year)d self-assessment", year=a.year)), str(_l("Draft: finish and submit it.")),
                 url_for("assessment.fill", assessment_id=a.id), str(_l("Continue"))) for a in drafts]


def verifier_tasks(user) -> list[Task]:
    waiting = db.session.scalar(select(func.count()).select_from(Assessment).outerjoin(Verification).where(
        Assessment.visible_to(user), Assessment.status == "submitted",
        Verification.completed_at.is_(None)))
    if not waiting:
        return []
    return [Task(str(_l("Self-assessments to verify")), str(_l("%(count)d waiting", count=waiting)),
                 url_for("verification.received"), str(_l("Open")))]
