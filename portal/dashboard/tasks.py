"""What's next for each role: a short list of things to do, each with a link. Features add their own."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.access import can_manage_members, is_platform_admin
from portal.extensions import db
from portal.orgs.models import JoinRequest, Organisation

PROFILE_REQUIRED = {
    "address": _l("address"),
    "district": _l("district"),
    "industry_code": _l("industry code"),
    "contact_name": _l("contact person"),
    "contact_phone": _l("contact phone"),
}


@dataclass(frozen=True)
class Task:
    title: str
    detail: str
    url: str
    action: str


def tasks_for(user) -> list[Task]:
    from portal.access import is_supplier
    from portal.assessment import tasks as assessment_tasks
    from portal.assessment.verify_routes import is_verifier
    from portal.capacity import tasks as capacity_tasks
    from portal.funding import tasks as funding_tasks
    from portal.funding.workflow import is_agency_member, is_authority
    from portal.plans import tasks as plan_tasks
    from portal.public import tasks as public_tasks
    from portal.reports.tasks import reviewer_tasks, supplier_tasks
    from portal.reports.workflow import is_reviewer

    tasks: list[Task] = []
    if is_supplier(user):
        tasks.extend(supplier_tasks(user))
        tasks.extend(assessment_tasks.supplier_tasks(user))
        tasks.extend(plan_tasks.supplier_tasks(user))
        tasks.extend(funding_tasks.supplier_tasks(user))
        tasks.extend(capacity_tasks.supplier_tasks(user))
    if is_reviewer(user):
        tasks.extend(reviewer_tasks(user))
        tasks.extend(plan_tasks.agency_tasks(user))
    if is_authority(user):
        tasks.extend(funding_tasks.authority_tasks(user))
    if is_agency_member(user):
        tasks.extend(funding_tasks.agency_tasks(user))
        tasks.extend(capacity_tasks.agency_tasks(user))
    if is_verifier(user):
        tasks.extend(assessment_tasks.verifier_tasks(user))
    tasks.extend(public_tasks.reviewer_tasks(user))
    org = user.organisation
    if org is not None:
        missing = [str(label) for name, label in PROFILE_REQUIRED.items() if not getattr(org, name)]
        if missing and can_manage_members(user, org):
            tasks.append(Task(str(_l("Complete your organisation profile")),
                              str(_l("Missing: %(fields)s", fields="、".join(missing))),
                              url_for("orgs.edit_profile", org_id=org.id), str(_l("Complete profile"))))
        if can_manage_members(user, org):
            pending = db.session.scalar(select(func.count()).select_from(JoinRequest).where(
                JoinRequest.organisation_id == org.id, JoinRequest.status == "pending"))
            if pending:
                tasks.append(Task(str(_l("Requests to join your organisation")),
                                  str(_l("%(count)d waiting for your decision", count=pending)),
                                  url_for("orgs.members", org_id=org.id), str(_l("Review requests"))))
    if is_platform_admin(user):
        legacy = db.session.scalar(select(func.count()).select_from(Organisation).where(
            Organisation.credit_code_legacy.is_(True)))
        if legacy:
            tasks.append(Task(str(_l("Legacy credit codes accepted")),
                              str(_l("%(count)d organisations use a code that fails the check character",
                                     count=legacy)),
                              url_for("admin.organisations", legacy=1), str(_l("Review"))))
    return tasks
