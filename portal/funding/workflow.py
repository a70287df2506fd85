"""The life of a funding application as one table (draft-to-decision steps follow the special fund's process,
DOMAIN.md §7): draft → submitted → formal check (returned ↔ resubmitted) → expert review → on-site verification →
decision (approved with an amount, or rejected with reasons) → public notice → agreement → disbursed →
acceptance → closed; withdrawn and rejected are ends.

Who: the supplier's organisation admins submit, resubmit and withdraw; the environmental authority checks,
sends to experts, records the site visit, decides and runs the notice; experts (technical agency members it
assigns) score, and whoever scored an application cannot decide it.
"""

from __future__ import annotations

from portal.access import is_org_admin, is_org_member
from portal.orgs.models import OrgKind
from portal.workflow import Transition, Workflow

BEFORE_DECISION = frozenset({"draft", "submitted", "returned", "expert_review", "site_verification", "decision"})


def is_applicant_admin(user, application) -> bool:
    return is_org_admin(user) and user.organisation_id == application.organisation_id


def is_applicant(user, application) -> bool:
    return is_org_member(user) and user.organisation_id == application.organisation_id


def is_authority(user, application=None) -> bool:
    return is_org_member(user) and user.org_kind == OrgKind.AUTHORITY


def is_agency_member(user, application=None) -> bool:
    return is_org_member(user) and user.org_kind == OrgKind.AGENCY


def scored_it(user, application) -> bool:
    return any(a.expert_id == user.id and a.status == "scored" for a in application.assignments)


def is_expert_on(user, application) -> bool:
    return is_agency_member(user) and any(a.expert_id == user.id and a.status != "recused"
                                          for a in application.assignments)


def can_decide(user, application) -> bool:
    """Segregation of duties: the authority decides, but never someone who scored the application."""
    return is_authority(user) and not scored_it(user, application)


WORKFLOW = Workflow(
    Transition("submit", frozenset({"draft"}), "submitted", is_applicant_admin),
    Transition("return", frozenset({"submitted"}), "returned", is_authority, needs_comment=True),
    Transition("resubmit", frozenset({"returned"}), "submitted", is_applicant_admin),
    Transition("pass_check", frozenset({"submitted"}), "expert_review", is_authority),
    Transition("close_review", frozenset({"expert_review"}), "site_verification", is_authority),
    Transition("verify_site", frozenset({"site_verification"}), "decision", is_authority, needs_comment=True),
    Transition("approve", frozenset({"decision"}), "approved", can_decide),
    Transition("reject", frozenset({"submitted", "expert_review", "site_verification", "decision"}), "rejected",
               can_decide, needs_comment=True),
    Transition("start_notice", frozenset({"approved"}), "public_notice", is_authority),
    Transition("end_notice", frozenset({"public_notice"}), "agreement", is_authority, needs_comment=True),
    Transition("disburse", frozenset({"agreement"}), "disbursed", is_authority, needs_comment=True),
    Transition("start_acceptance", frozenset({"disbursed"}), "acceptance", is_applicant_admin),
    Transition("close", frozenset({"acceptance"}), "closed", is_authority, needs_comment=True),
    Transition("withdraw", BEFORE_DECISION, "withdrawn", is_applicant_admin, needs_comment=True),
)
# Steps this release carries out; the later ones are in the table (so the states and actors are fixed) but
# need their own data (objections, the agreement, payment records, acceptance report) before they are offered.
IMPLEMENTED = frozenset({"submit", "return", "resubmit", "pass_check", "close_review", "verify_site", "approve",
                         "reject", "start_notice", "withdraw"})
EDITABLE = frozenset({"draft", "returned"})


def offered_actions(user, application) -> list[str]:
    return [a for a in WORKFLOW.allowed_actions(user, application) if a in IMPLEMENTED]


def can_edit(user, application) -> bool:
    return application.status in EDITABLE and is_applicant(user, application)
