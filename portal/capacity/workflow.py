"""Who may do what in capacity building.

An on-site guidance request as one table: requested → scheduled (the agency sets the date and its experts;
it may move the date) → visited (the agency records the findings) → closed; the supplier cancels before the
visit, the agency declines with a reason. Trainings are run by technical agency members; suppliers' members
register their organisation.
"""

from __future__ import annotations

from portal.access import is_agency_member, is_org_admin, is_supplier
from portal.workflow import Transition, Workflow


def is_requester_admin(user, guidance_request) -> bool:
    return is_org_admin(user) and user.organisation_id == guidance_request.organisation_id


def closes_request(user, guidance_request) -> bool:
    return is_agency_member(user) or is_requester_admin(user, guidance_request)


WORKFLOW = Workflow(
    Transition("schedule", frozenset({"requested"}), "scheduled", is_agency_member),
    Transition("reschedule", frozenset({"scheduled"}), "scheduled", is_agency_member),
    Transition("record", frozenset({"scheduled"}), "visited", is_agency_member),
    Transition("close", frozenset({"visited"}), "closed", closes_request),
    Transition("cancel", frozenset({"requested", "scheduled"}), "cancelled", is_requester_admin),
    Transition("decline", frozenset({"requested", "scheduled"}), "declined", is_agency_member, needs_comment=True),
)
WITH_FINDINGS = frozenset({"visited", "closed"})


def can_start_plan(user, guidance_request) -> bool:
    return (guidance_request.status in WITH_FINDINGS and bool(guidance_request.findings)
            and is_requester_admin(user, guidance_request))


def runs_trainings(user) -> bool:
    return is_agency_member(user)


def reads_trainings(user) -> bool:
    return is_supplier(user) or is_agency_member(user)


def reads_requests(user) -> bool:
    return is_supplier(user) or is_agency_member(user)
