"""The life of an upgrade plan: draft → submitted → commented by the agency ↔ revised and resubmitted →
approved → in progress (milestone updates) → completed → verified against later accepted annual data."""

from __future__ import annotations

from portal.access import is_agency_member, is_org_member
from portal.workflow import Transition, Workflow


def is_plan_owner(user, plan) -> bool:
    return is_org_member(user) and user.organisation_id == plan.organisation_id


is_agency = is_agency_member  # the one predicate of portal.access, under the name this module's callers use


WORKFLOW = Workflow(
    Transition("submit", frozenset({"draft", "commented"}), "submitted", is_plan_owner),
    Transition("comment", frozenset({"submitted"}), "commented", is_agency, needs_comment=True),
    Transition("approve", frozenset({"submitted"}), "approved", is_agency),
    Transition("start", frozenset({"approved"}), "in_progress", is_plan_owner),
    Transition("complete", frozenset({"in_progress"}), "completed", is_plan_owner),
    Transition("verify", frozenset({"completed"}), "verified", is_agency),
)
EDITABLE = frozenset({"draft", "commented"})


def can_edit(user, plan) -> bool:
    return plan.status in EDITABLE and is_plan_owner(user, plan)


def can_update_milestones(user, plan) -> bool:
    return plan.status == "in_progress" and is_plan_owner(user, plan)
