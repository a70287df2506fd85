"""The life of an annual report as one table: which action moves it from which states to which, and who
may take it. The pages show exactly the actions this table allows."""

from __future__ import annotations

from portal.access import is_org_member
from portal.orgs.models import OrgKind
from portal.workflow import Transition, Workflow


def is_report_owner(user, report) -> bool:
    return is_org_member(user) and user.organisation_id == report.organisation_id


def is_reviewer(user, report=None) -> bool:
    return is_org_member(user) and user.org_kind == OrgKind.AGENCY


WORKFLOW = Workflow(
    Transition("submit", frozenset({"draft", "returned"}), "submitted", is_report_owner),
    Transition("return", frozenset({"submitted"}), "returned", is_reviewer),
    Transition("accept", frozenset({"submitted"}), "accepted", is_reviewer),
    Transition("correct", frozenset({"accepted"}), "draft", is_report_owner),
)
EDITABLE = frozenset({"draft", "returned"})
can = WORKFLOW.can
allowed_actions = WORKFLOW.allowed_actions


def can_edit(user, report) -> bool:
    return report.status in EDITABLE and is_report_owner(user, report)
