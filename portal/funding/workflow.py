"""The life of a funding application as one table (draft-to-decision steps follow the special fund's process,
DOMAIN.md §7): draft → submitted → formal check (returned ↔ resubmitted) → expert review → on-site verification →
decision (approved with an amount, or rejected with reasons) → public notice (an upheld objection
sends it back to the decision, or it is rejected) → agreement → disbursed →
acceptance → closed; withdrawn and rejected are ends.

Who: the supplier's organisation admins submit, resubmit, withdraw and start the acceptance; the environmental
authority checks, sends to experts, decides, runs the notice and records the agreement and the payments; experts
(technical agency members it assigns) score, and whoever scored an application cannot decide it. The technical
agency organises the expert reviews, site checks and acceptance (DOMAIN.md §7), so its members record the site
visit and close with the acceptance verdict; the authority may record both as well.
"""

from __future__ import annotations

from portal.access import is_agency_member, is_org_admin, is_org_member
from portal.orgs.models import OrgKind
from portal.workflow import Transition, Workflow

BEFORE_DECISION = frozenset({"draft", "submitted", "returned", "expert_review", "site_verification", "decision"})


def is_applicant_admin(user, application) -> bool:
    return is_org_admin(user) and user.organisation_id == application.organisation_id


def is_applicant(user, application) -> bool:
    return is_org_member(user) and user.organisation_id == application.organisation_id


def is_authority(user, application=None) -> bool:
    return is_org_member(user) and user.org_kind == OrgKind.AUTHORITY


def recused_ids(application) -> set[int]:
    """The agency members who declared a conflict of interest on the application."""
    return {a.expert_id for a in application.assignments if a.status == "recused"}


def organises_checks(user, application=None) -> bool:
    """The site visit and the acceptance: organised by the technical agency, also open to the authority. An agency
    member who declared a conflict of interest on the application stays out of it."""
    if is_authority(user):
        return True
    return is_agency_member(user) and (application is None or user.id not in recused_ids(application))


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
    Transition("verify_site", frozenset({"site_verification"}), "decision", organises_checks, needs_comment=True),
    Transition("approve", frozenset({"decision"}), "approved", can_decide),
    Transition("reject", frozenset({"submitted", "expert_review", "site_verification", "decision", "public_notice"}),
               "rejected", can_decide, needs_comment=True),
    Transition("start_notice", frozenset({"approved"}), "public_notice", is_authority),
    # An upheld objection (portal/funding/objections.py): the amount is decided again, then noticed again.
    Transition("reconsider", frozenset({"public_notice"}), "decision", is_authority, needs_comment=True),
    Transition("end_notice", frozenset({"public_notice"}), "agreement", is_authority, needs_comment=True),
    Transition("disburse", frozenset({"agreement"}), "disbursed", is_authority, needs_comment=True),
    Transition("start_acceptance", frozenset({"disbursed"}), "acceptance", is_applicant_admin),
    Transition("close", frozenset({"acceptance"}), "closed", organises_checks, needs_comment=True),
    Transition("withdraw", BEFORE_DECISION, "withdrawn", is_applicant_admin, needs_comment=True),
)
EDITABLE = frozenset({"draft", "returned"})


def offered_actions(user, application) -> list[str]:
    return WORKFLOW.allowed_actions(user, application)


def can_edit(user, application) -> bool:
    return application.status in EDITABLE and is_applicant(user, application)
