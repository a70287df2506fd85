"""Deadline reminders: what is due, to whom, and sending each one once per (kind, object, recipient, deadline).

Only deadlines the portal holds as data: the end of a public notice period, a returned application left
waiting, an expert assignment left open, upgrade plan milestones, discharge permits and certificates that
expire. Lead times are settings (REMINDER_* in portal/config.py). Annual reports carry no due date in the
portal (the permit copy sets it), so they get no reminder. Something that expired or fell overdue more than
REMINDER_EXPIRED_WITHIN_DAYS ago is not reminded (the first run after deployment would otherwise remind everything
that ever expired).

One run costs a fixed number of queries: admins are read once per organisation, plans and sites are loaded with
what refers to them, and the reminders already sent are read once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from portal.extensions import db
from portal.funding.models import ApplicationEvent, ExpertAssignment, FundingApplication
from portal.local_time import local_day
from portal.notifications.kinds import render
from portal.notifications.models import ReminderSent
from portal.notifications.recipients import AUTHORITY, members_of_kind
from portal.notifications.services import notify
from portal.orgs.membership import active_admins
from portal.plans.models import PlanMilestone, UpgradePlan
from portal.reports.models import AnnualReport
from portal.reports.tasks import certificate_link, expiring_certificates
from portal.sites.models import Site


@dataclass
class Due:
    key: str  # what ReminderSent remembers, with the object and the deadline
    object_id: int
    deadline: date
    recipients: list
    kind: str  # the notification kind (portal/notifications/kinds.py)
    link: str
    params: dict = field(default_factory=dict)


def _days(name: str) -> timedelta:
    return timedelta(days=int(current_app.config[name]))


class _Admins(dict):
    """The active admins of each organisation, read once per organisation per run."""

    def __missing__(self, organisation_id: int) -> list:
        self[organisation_id] = active_admins(organisation_id)
        return self[organisation_id]


def _oldest_expired(today: date) -> date:
    return today - _days("REMINDER_EXPIRED_WITHIN_DAYS")


def _notices_ending(today: date, admins: _Admins) -> list[Due]:
    ending = db.session.scalars(select(FundingApplication).where(
        FundingApplication.status == "public_notice",
        FundingApplication.notice_ends_on <= today + _days("REMINDER_NOTICE_END_LEAD_DAYS")))
    authority = None
    found = []
    for application in ending:
        authority = members_of_kind(AUTHORITY) if authority is None else authority
        found.append(Due("notice_ending", application.id, application.notice_ends_on, authority,
                         "reminder.notice_ending", url_for("funding.application", application_id=application.id),
                         {"ref": application.reference, "ends_on": application.notice_ends_on}))
    return found


def _returned_waiting(today: date, admins: _Admins) -> list[Due]:
    returned_at = (select(ApplicationEvent.application_id, func.max(ApplicationEvent.at).label("at"))
                   .where(ApplicationEvent.to_status == "returned").group_by(ApplicationEvent.application_id)
                   .subquery())
    rows = db.session.execute(select(FundingApplication, returned_at.c.at)
                              .join(returned_at, returned_at.c.application_id == FundingApplication.id)
                              .where(FundingApplication.status == "returned")).all()
    found = []
    for application, at in rows:
        returned_on = local_day(at)
        if today >= returned_on + _days("REMINDER_RETURNED_AFTER_DAYS"):
            found.append(Due("returned_waiting", application.id, returned_on,
                             admins[application.organisation_id], "reminder.returned_waiting",
                             url_for("funding.application", application_id=application.id),
                             {"ref": application.reference, "returned_on": returned_on}))
    return found


def _experts_waiting(today: date, admins: _Admins) -> list[Due]:
    open_ones = db.session.scalars(select(ExpertAssignment).join(ExpertAssignment.application).where(
        FundingApplication.status == "expert_review", ExpertAssignment.status.in_(("assigned", "declared")))
        .options(selectinload(ExpertAssignment.expert), selectinload(ExpertAssignment.application)))
    found = []
    for assignment in open_ones:
        assigned_on = local_day(assignment.assigned_at)
        if today >= assigned_on + _days("REMINDER_EXPERT_AFTER_DAYS"):
            application = assignment.application
            found.append(Due("expert_waiting", assignment.id, assigned_on, [assignment.expert],
                             "reminder.expert_pending", url_for("funding.application", application_id=application.id),
                             {"ref": application.reference, "assigned_on": assigned_on}))
    return found


def _milestones(today: date, admins: _Admins) -> list[Due]:
    milestones = db.session.scalars(select(PlanMilestone).join(PlanMilestone.plan).where(
        UpgradePlan.status.in_(("approved", "in_progress")), PlanMilestone.done_on.is_(None),
        PlanMilestone.due_date >= _oldest_expired(today),
        PlanMilestone.due_date <= today + _days("REMINDER_MILESTONE_LEAD_DAYS"))
        .options(contains_eager(PlanMilestone.plan)).order_by(PlanMilestone.due_date))
    found = []
    for milestone in milestones:
        plan, overdue = milestone.plan, milestone.due_date < today
        key = "milestone_overdue" if overdue else "milestone_due"
        found.append(Due(key, milestone.id, milestone.due_date, admins[plan.organisation_id],
                         f"reminder.{key}", url_for("plans.detail", plan_id=plan.id),
                         {"milestone": milestone.title, "title": plan.title, "due_on": milestone.due_date}))
    return found


def _expiring(today: date, admins: _Admins) -> list[Due]:
    soon, oldest = today + _days("REMINDER_EXPIRY_LEAD_DAYS"), _oldest_expired(today)
    found = []
    for site in db.session.scalars(select(Site).where(Site.permit_expiry <= soon, Site.permit_expiry >= oldest)):
        key = "permit_expired" if site.permit_expiry < today else "permit_expiring"
        found.append(Due(key, site.id, site.permit_expiry, admins[site.organisation_id], f"reminder.{key}",
                         url_for("sites.edit", site_id=site.id),
                         {"site": site.name, "expires_on": site.permit_expiry}))
    # Every report is read (expiring_certificates picks the one that lists each site's certificates), so the
    # reminder belongs to the site: next year's report copied from this one does not remind the same expiry again.
    reports = db.session.scalars(select(AnnualReport).options(selectinload(AnnualReport.site)))
    for report, code, ends in expiring_certificates(list(reports), soon):
        if ends < oldest:
            continue
        expired = "certificate_expired" if ends < today else "certificate_expiring"
        found.append(Due(f"{expired}:{code}", report.site_id, ends, admins[report.organisation_id],
                         f"reminder.{expired}", certificate_link(report),
                         {"certificate": code, "site": report.site.name, "expires_on": ends}))
    return found


def due_reminders(today: date) -> list[Due]:
    admins = _Admins()
    return [due for find in (_notices_ending, _returned_waiting, _experts_waiting, _milestones, _expiring)
            for due in find(today, admins)]


def _already_sent(dues: list[Due]) -> set[tuple[str, int, date, int]]:
    """(key, object, deadline, user) of the reminders sent before, for these dues, in one query."""
    if not dues:
        return set()
    rows = db.session.execute(select(ReminderSent.kind, ReminderSent.object_id, ReminderSent.deadline,
                                     ReminderSent.user_id).where(
        ReminderSent.kind.in_({due.key for due in dues}),
        ReminderSent.deadline >= min(due.deadline for due in dues)))
    return {tuple(row) for row in rows}


def send(today: date, *, dry_run: bool = False) -> tuple[Counter, list[str]]:
    """Sends what is due and not sent before (in the portal and by e-mail); flushes, the caller commits.
    Returns the count per notification kind and one line per reminder (for the command's output)."""
    counts, lines = Counter(), []
    dues = due_reminders(today)
    sent = _already_sent(dues)
    for due in dues:
        fresh = [user for user in dict.fromkeys(due.recipients)
                 if user.active and (due.key, due.object_id, due.deadline, user.id) not in sent]
        if not fresh:
            continue
        sent.update((due.key, due.object_id, due.deadline, user.id) for user in fresh)
        counts[due.kind] += len(fresh)
        lines.extend(f"{due.kind} → {user.email}: {render(due.kind, due.params)}" for user in fresh)
        if dry_run:
            continue
        notify(fresh, due.kind, link=due.link, mail_template="notification", **due.params)
        db.session.add_all(ReminderSent(kind=due.key, object_id=due.object_id, user_id=user.id,
                                        deadline=due.deadline) for user in fresh)
    db.session.flush()
    return counts, lines
