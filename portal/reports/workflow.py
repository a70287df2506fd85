"""The life of an annual report as one table: which action moves it from which states to which, and who
may take it. The pages show exactly the actions this table allows."""

from __future__ import annotations

from dataclasses import dataclass

from portal.access import is_org_member
from portal.orgs.models import OrgKind


def is_report_owner(user, report) -> bool:
    return is_org_member(user) and user.organisation_id == report.organisation_id


def is_reviewer(user, report=None) -> bool:
    return is_org_member(user) and user.org_kind == OrgKind.AGENCY


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    who: object  # predicate (user, report) -> bool


TRANSITIONS = {
    t.action: t for t in (
        Transition("submit", frozenset({"draft", "returned"}), "submitted", is_report_owner),
        Transition("return", frozenset({"submitted"}), "returned", is_reviewer),
        Transition("accept", frozenset({"submitted"}), "accepted", is_reviewer),
        Transition("correct", frozenset({"accepted"}), "draft", is_report_owner),
    )
}
EDITABLE = frozenset({"draft", "returned"})


def can(user, action: str, report) -> bool:
    transition = TRANSITIONS[action]
    return report.status in transition.sources and bool(transition.who(user, report))


def allowed_actions(user, report) -> list[str]:
    return [action for action in TRANSITIONS if can(user, action, report)]


def can_edit(user, report) -> bool:
    return report.status in EDITABLE and is_report_owner(user, report)
