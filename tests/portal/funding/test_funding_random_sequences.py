"""Random sequences of steps by random people on three applications competing for one small budget: whatever
happens, no application reaches a state the table does not lead to, the approved sum stays within the budget, no
application is paid more than approved, and every change of state is on the timeline and in the audit trail."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import closing, demo, services
from portal.funding.models import (
    APPLICATION_STATUSES,
    ApplicationFile,
    ExpertAssignment,
    FundingApplication,
    FundingProgramme,
)
from portal.funding.workflow import WORKFLOW
from tests.portal.funding.conftest import PDF
from tests.portal.funding.test_funding_transition_table import PROCESS, TARGETS

BUDGET = Decimal("700000")  # less than three approvals at the cap: decisions compete
ACTORS = ("supplier_admin", "supplier_staff", "authority", "authority_scorer", "expert")
STEPS = (*WORKFLOW.transitions, "agreement", "evidence")
_names = count()

DATA_STEPS = {"agreement": ("agreement", "authority"), "disbursed": ("evidence", "supplier_admin")}
# (application, which step, wild (1 in 4: any step by anyone; otherwise a step that leads on from the current
#  state, by someone the table lets take it, so that sequences get far), who, amount in 100,000 yuan, days passing,
#  verdict)
step = st.tuples(st.integers(0, 2), st.integers(0, 99), st.integers(0, 3), st.sampled_from(ACTORS),
                 st.integers(1, 5), st.integers(0, 4), st.sampled_from(("passed", "failed")))


def _choose(status: str, pick: int, wild: bool, who: str) -> tuple[str, str]:
    leading = [(a, next(iter(sorted(_takers(a))))) for a, t in WORKFLOW.transitions.items() if status in t.sources]
    if status in DATA_STEPS:
        leading.append(DATA_STEPS[status])
    if wild or not leading:
        return STEPS[pick % len(STEPS)], who
    onwards = [(a, w) for a, w in leading if a not in ("withdraw", "reject", "return")]
    candidates = onwards if onwards and pick % 10 < 8 else leading  # ends come, but not too soon
    return candidates[pick // 10 % len(candidates)]


def _takers(action: str) -> set[str]:
    return {"supplier_admin"} if action in ("submit", "resubmit", "withdraw", "start_acceptance") else {"authority"}


def _world(funding, make):
    """Three drafts with their materials and a scored panel (three agency experts and one authority member, who
    may then not decide)."""
    today = date.today()
    programme = FundingProgramme(name=f"random {next(_names)}", budget=BUDGET, opens_on=today - timedelta(days=1),
                                 closes_on=today + timedelta(days=20), rules=demo.DEMO_RULES,
                                 amount_rule=demo.DEMO_AMOUNT_RULE, rubric=demo.DEMO_RUBRIC,
                                 materials=demo.DEMO_MATERIALS[:1], notice_days=5)
    db.session.add(programme)
    ids = []
    for _n in range(3):
        plan = funding.completed_plan(Decimal(800000 + next(_names)), Decimal("0"))
        application = FundingApplication(organisation_id=funding.org.id, programme=programme, plan=plan,
                                         project_type="upgrade")
        application.files.append(ApplicationFile(organisation_id=funding.org.id, material="m1", filename="m.pdf",
                                                 content_type="application/pdf", size=1, sha256="0" * 64))
        for expert in (*funding.experts[2:5], funding.scorer):
            application.assignments.append(ExpertAssignment(expert_id=expert.id, status="scored",
                                                            total=Decimal("80")))
        db.session.add(application)
        db.session.commit()
        ids.append(application.id)
    return programme.id, ids


def _take(application, action, actor, amount, verdict, today, serial):
    if action == "agreement":
        closing.record_agreement(application, f"A-{serial}", today, "a.pdf", PDF, expected_version=None,
                                 actor=actor, today=today)
    elif action == "evidence":
        closing.attach_evidence(application, "e.pdf", PDF, actor=actor)
    elif action == "disburse":
        closing.disburse(application, amount, today, f"B-{application.id}-{serial}", "", expected_version=None,
                         actor=actor, today=today)
    elif action == "start_acceptance":
        closing.start_acceptance(application, "完成", {"COD": "1.5"}, expected_version=None, actor=actor, today=today)
    elif action == "close":
        closing.close(application, verdict, "结论", expected_version=None, actor=actor, today=today)
    else:
        services.act(application, action, "理由", expected_version=None, actor=actor, today=today, amount=amount)


def _check(programme_id, ids):
    assert services.committed_sum(programme_id) <= BUDGET
    for application_id in ids:
        application = db.session.get(FundingApplication, application_id)
        assert application.status in APPLICATION_STATUSES
        assert closing.disbursed_sum(application_id) <= (application.approved_amount or Decimal(0))
        state = "draft"
        moves = [e for e in application.events if e.from_status is not None]
        for event in moves:  # checked against the process as written out in the transition-table test
            sources, _roles = PROCESS[event.action]
            assert event.from_status == state and state in sources and event.to_status == TARGETS[event.action]
            state = event.to_status
        assert state == application.status
        audited = db.session.scalars(db.select(AuditEvent.action).where(
            AuditEvent.object_type == "FundingApplication", AuditEvent.object_id == str(application_id),
            AuditEvent.action.in_([f"funding.{a}" for a in PROCESS]))).all()
        assert sorted(audited) == sorted(f"funding.{e.action}" for e in moves)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=20, max_size=80))
def test_random_steps_keep_the_rules(app, funding, make, steps):
    if not hasattr(funding, "scorer"):
        funding.scorer = make.user(funding.authority_user.organisation, locale="en")
    programme_id, ids = _world(funding, make)
    people = {"supplier_admin": funding.admin.id, "supplier_staff": funding.staff.id,
              "authority": funding.authority_user.id, "authority_scorer": funding.scorer.id,
              "expert": funding.experts[0].id}
    today = date.today()
    with app.test_request_context():
        for serial, (which, pick, wild, who, hundred_thousands, days_later, verdict) in enumerate(steps):
            today += timedelta(days=days_later)
            application = db.session.get(FundingApplication, ids[which])
            action, who = _choose(application.status, pick, wild == 0, who)
            actor = db.session.get(User, people[who])
            try:
                _take(application, action, actor, Decimal(hundred_thousands * 100000), verdict, today, serial)
                db.session.commit()
            except ServiceError:
                db.session.rollback()
            db.session.expire_all()
            _check(programme_id, ids)
