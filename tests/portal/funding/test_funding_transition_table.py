"""The transition table, every action in every state for every role: allowed exactly where the programme's process
says (written out below independently of portal/funding/workflow.py), refused by the service everywhere else, and
the application page offers exactly the allowed steps."""

import re
from datetime import date
from decimal import Decimal

import pytest

from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import closing, services
from portal.funding.closing_models import Agreement
from portal.funding.models import APPLICATION_STATUSES, ExpertAssignment, FundingApplication
from portal.funding.workflow import WORKFLOW
from tests.portal.funding.conftest import PDF

AUTHORITIES = {"authority", "authority_scorer"}
# The technical agency organises the site checks and the acceptance (DOMAIN.md §7); the authority may record them too.
# A member who recused on the application stays out of them.
CHECKERS = AUTHORITIES | {"expert", "agency_staff"}
BEFORE_DECISION = {"draft", "submitted", "returned", "expert_review", "site_verification", "decision"}
# action: (states it starts from, roles that take it). A scorer never decides (approve, reject).
PROCESS = {
    "submit": ({"draft"}, {"supplier_admin"}),
    "return": ({"submitted"}, AUTHORITIES),
    "resubmit": ({"returned"}, {"supplier_admin"}),
    "pass_check": ({"submitted"}, AUTHORITIES),
    "close_review": ({"expert_review"}, AUTHORITIES),
    "verify_site": ({"site_verification"}, CHECKERS),
    "approve": ({"decision"}, {"authority"}),
    "reject": ({"submitted", "expert_review", "site_verification", "decision", "public_notice"}, {"authority"}),
    "start_notice": ({"approved"}, AUTHORITIES),
    "reconsider": ({"public_notice"}, AUTHORITIES),  # an upheld objection: the amount is decided again
    "end_notice": ({"public_notice"}, AUTHORITIES),
    "disburse": ({"agreement"}, AUTHORITIES),
    "start_acceptance": ({"disbursed"}, {"supplier_admin"}),
    "close": ({"acceptance"}, CHECKERS),
    "withdraw": (BEFORE_DECISION, {"supplier_admin"}),
}
# action: the state it leads to, written out from the programme's process as well.
TARGETS = {"submit": "submitted", "return": "returned", "resubmit": "submitted", "pass_check": "expert_review",
           "close_review": "site_verification", "verify_site": "decision", "approve": "approved",
           "reject": "rejected", "start_notice": "public_notice", "reconsider": "decision", "end_notice": "agreement",
           "disburse": "disbursed", "start_acceptance": "acceptance", "close": "closed", "withdraw": "withdrawn"}
# The closing steps that record data without a transition of their own (a later payment keeps the state).
CLOSING = {"record_agreement": ({"agreement"}, AUTHORITIES),
           "pay": ({"agreement", "disbursed", "acceptance"}, AUTHORITIES),
           "attach_evidence": ({"disbursed"}, {"supplier_admin", "supplier_staff"})}
ROLES = ("supplier_admin", "supplier_staff", "other_supplier", "authority", "authority_scorer", "expert",
         "agency_staff", "recused_expert", "platform_admin")


def allowed(state: str, role: str) -> set[str]:
    return {action for action, (states, roles) in PROCESS.items() if state in states and role in roles}


def sees(state: str, role: str) -> bool:
    if role == "other_supplier":
        return False
    return state != "draft" or role in ("supplier_admin", "supplier_staff", "platform_admin")


@pytest.fixture
def table_world(funding, make):
    url = funding.apply()
    application = funding.current()
    application.approved_amount = Decimal("1000")
    application.agreement = Agreement(organisation_id=application.organisation_id, number="A-1",
                                      signed_on=date(2026, 1, 5), filename="a.pdf", content_type="application/pdf",
                                      size=1, sha256="0" * 64)
    scorer = make.user(funding.authority_user.organisation, locale="en")
    expert = funding.experts[0]
    application.assignments.append(ExpertAssignment(expert_id=scorer.id, status="scored", total=Decimal("80")))
    application.assignments.append(ExpertAssignment(expert_id=expert.id, status="declared"))
    recused = make.user(expert.organisation, locale="en")
    application.assignments.append(ExpertAssignment(expert_id=recused.id, status="recused"))
    db.session.commit()
    users = {"supplier_admin": funding.admin, "supplier_staff": funding.staff,
             "other_supplier": make.user(make.org("supplier"), locale="en"), "authority": funding.authority_user,
             "authority_scorer": scorer, "expert": expert, "agency_staff": make.user(expert.organisation, locale="en"),
             "recused_expert": recused, "platform_admin": make.user(None, locale="en")}
    return url, application.id, users


def test_the_table_is_the_programmes_process():
    assert set(WORKFLOW.transitions) == set(PROCESS)
    for action, (states, _roles) in PROCESS.items():
        assert WORKFLOW[action].sources == frozenset(states), action
    assert {t.target for t in WORKFLOW.transitions.values()} | {"draft"} == set(APPLICATION_STATUSES)
    assert {action: t.target for action, t in WORKFLOW.transitions.items()} == TARGETS


def _closing_step(step, application, actor, serial):
    day = date(2026, 6, 1)
    if step == "record_agreement":
        closing.record_agreement(application, f"A-{serial}", day, "a.pdf", PDF, expected_version=None, actor=actor,
                                 today=day)
    elif step == "pay":
        closing.disburse(application, Decimal("10"), day, f"T-{serial}", "", expected_version=None, actor=actor,
                         today=day)
    else:
        closing.attach_evidence(application, "e.pdf", PDF, actor=actor)


def test_the_closing_steps_outside_the_table_check_the_role_and_state(app, funding, table_world):
    _url, application_id, users = table_world
    problems, serial = [], 0
    for state in APPLICATION_STATUSES:
        row = funding.current(application_id)
        row.status = state
        db.session.commit()
        for role, user in users.items():
            for step, (states, roles) in CLOSING.items():
                serial += 1
                with app.test_request_context():
                    application = db.session.get(FundingApplication, application_id)
                    try:
                        _closing_step(step, application, db.session.get(type(user), user.id), serial)
                        outcome = "done"
                    except ServiceError as err:
                        outcome = err.code
                    finally:
                        db.session.rollback()
                if (outcome != "not_allowed") != (state in states and role in roles):
                    problems.append(f"{step} in {state} by {role}: {outcome}")
    assert problems == []


def test_every_action_in_every_state_for_every_role(app, funding, table_world):
    url, application_id, users = table_world
    clients = {role: funding.client(user) for role, user in users.items()}
    problems = []
    for state in APPLICATION_STATUSES:
        row = funding.current(application_id)
        row.status = state
        db.session.commit()
        for role, user in users.items():
            expected = allowed(state, role)
            with app.test_request_context():
                application = db.session.get(FundingApplication, application_id)
                actor = db.session.get(type(user), user.id)
                if set(WORKFLOW.allowed_actions(actor, application)) != expected:
                    problems.append(f"table: {state} {role} {WORKFLOW.allowed_actions(actor, application)}")
                for action in PROCESS:
                    try:
                        services.act(application, action, "理由", expected_version=None, actor=actor,
                                     today=date(2099, 1, 1), amount=Decimal("1000"))
                        outcome = "done"
                    except ServiceError as err:
                        outcome = err.code
                    finally:
                        db.session.rollback()
                    if (outcome != "not_allowed") != (action in expected):
                        problems.append(f"service: {action} in {state} by {role}: {outcome}")
            response = clients[role].get(url)
            if not sees(state, role):
                if response.status_code != 404:
                    problems.append(f"page: {state} {role} answered {response.status_code}")
                continue
            offered = set(re.findall(r'data-transition="(\w+)"', response.get_data(as_text=True)))
            if offered != expected:
                problems.append(f"page: {state} {role} offers {sorted(offered)}, expected {sorted(expected)}")
    assert problems == []
