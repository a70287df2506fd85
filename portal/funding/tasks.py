"""What's next on funding applications: returned applications and drafts (suppliers); applications to check,
decide, publish and pay (the authority); site checks, acceptances, declarations and scores (the technical agency)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.access import is_org_admin
from portal.dashboard.tasks import Task
from portal.extensions import db
from portal.funding.models import ExpertAssignment, FundingApplication


def supplier_tasks(user) -> list[Task]:
    tasks = []
    for application in db.session.scalars(select(FundingApplication).where(
            FundingApplication.organisation_id == user.organisation_id,
            FundingApplication.status.in_(("draft", "returned", "disbursed"))).order_by(FundingApplication.id)):
        detail = {"returned": _l("Returned for more information: answer and resubmit."),
                  "draft": _l("Draft: upload the materials and submit."),
                  "disbursed": _l("Funds paid: once the project runs, attach the evidence and send the acceptance "
                                  "report.") if is_org_admin(user) else
                  _l("Funds paid: attach the evidence for the acceptance; an admin of your organisation sends the "
                     "acceptance report.")}[application.status]
        tasks.append(Task(f"{application.reference} · {application.plan.title}", str(detail),
                          url_for("funding.application", application_id=application.id), str(_l("Open"))))
    return tasks


def _waiting(labels: dict, *conditions) -> list[Task]:
    """One task per state with applications in it (and meeting `conditions`): {state: (title, action)}."""
    counts = dict(db.session.execute(select(FundingApplication.status, func.count()).where(
        FundingApplication.status.in_(tuple(labels)), *conditions).group_by(FundingApplication.status)).all())
    return [Task(str(title), str(_l("%(count)d waiting", count=counts[status])),
                 url_for("funding.queue", status=status), str(action))
            for status, (title, action) in labels.items() if counts.get(status)]


def authority_tasks(user) -> list[Task]:
    return _waiting({"submitted": (_l("Funding applications waiting for the formal check"), _l("Check")),
                     "decision": (_l("Funding applications waiting for a decision"), _l("Decide")),
                     "approved": (_l("Approved applications to publish"), _l("Start the notice")),
                     "agreement": (_l("Funding agreements to record and first payments to make"), _l("Record"))})


def agency_tasks(user) -> list[Task]:
    """The site checks and acceptances the agency organises (DOMAIN.md §7), but on applications the member recused
    on, and the member's own scoring."""
    recused = FundingApplication.assignments.any((ExpertAssignment.expert_id == user.id)
                                                 & (ExpertAssignment.status == "recused"))
    tasks = _waiting({"site_verification": (_l("Funding applications waiting for the on-site check"),
                                            _l("Record the visit")),
                      "acceptance": (_l("Acceptance reports waiting for your verdict"), _l("Close"))}, ~recused)
    waiting = db.session.scalar(select(func.count()).select_from(ExpertAssignment).join(FundingApplication).where(
        ExpertAssignment.expert_id == user.id, ExpertAssignment.status.in_(("assigned", "declared")),
        FundingApplication.status == "expert_review"))
    if waiting:
        tasks.append(Task(str(_l("Funding applications waiting for your score")),
                          str(_l("%(count)d waiting", count=waiting)), url_for("funding.queue", mine=1),
                          str(_l("Score it"))))
    return tasks
