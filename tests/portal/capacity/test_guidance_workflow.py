"""The on-site guidance request's transition table, every state × action × role, checked against the service."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.capacity import guidance
from portal.capacity.models import REQUEST_STATUSES, GuidanceRequest
from portal.capacity.workflow import WORKFLOW
from portal.errors import ServiceError
from portal.extensions import db

# (state, action): the roles allowed; every other combination is refused. Written out, not derived.
ALLOWED = {
    ("requested", "schedule"): {"agency", "expert"},
    ("requested", "cancel"): {"supplier_admin"},
    ("requested", "decline"): {"agency", "expert"},
    ("scheduled", "reschedule"): {"agency", "expert"},
    ("scheduled", "record"): {"agency", "expert"},
    ("scheduled", "cancel"): {"supplier_admin"},
    ("scheduled", "decline"): {"agency", "expert"},
    ("visited", "close"): {"agency", "expert", "supplier_admin"},
}
TARGET = {"schedule": "scheduled", "reschedule": "scheduled", "record": "visited", "close": "closed",
          "cancel": "cancelled", "decline": "declined"}
# Findings are recorded after the visit, a cancel comes before it (test_no_cancel_after_the_visit).
VISIT_AHEAD = timedelta(hours=2)
ROLES = ("supplier_admin", "supplier_staff", "other_supplier_admin", "agency", "expert", "authority")


def test_the_table_has_exactly_these_actions():
    assert set(WORKFLOW.transitions) == set(TARGET)
    assert {(state, action) for action in TARGET for state in WORKFLOW[action].sources} == set(ALLOWED)


@pytest.fixture
def actors(world, make):
    return {"supplier_admin": world.admin, "supplier_staff": world.staff, "other_supplier_admin": world.other_admin,
            "agency": world.agency_admin, "expert": world.expert, "authority": make.user(make.org("authority"))}


@pytest.mark.parametrize("state", REQUEST_STATUSES)
def test_every_state_action_and_role(world, actors, data_app, state):
    problems = []
    for action in TARGET:
        for role in ROLES:
            item = GuidanceRequest(organisation_id=world.org.id, site=world.site, topic="noise", description="x",
                                   preferred_dates=["2030-01-01"], status=state,
                                   visit_at=datetime.now(UTC) + (VISIT_AHEAD if action == "cancel" else -VISIT_AHEAD))
            item.experts = [world.expert]
            db.session.add(item)
            db.session.commit()
            with data_app.test_request_context():
                try:
                    guidance.act(item, action, "理由", expected_version=item.version_id, actor=actors[role],
                                 visit_at=datetime.now(UTC) + timedelta(days=3), expert_ids=[world.expert.id],
                                 findings=[{"topic": "noise", "severity": "high", "description": "冷却塔噪声",
                                            "recommendation": ""}])
                    outcome = "done"
                    db.session.commit()
                except ServiceError as err:
                    outcome = err.code
                    db.session.rollback()
            allowed = role in ALLOWED.get((state, action), set())
            status = db.session.get(GuidanceRequest, item.id).status
            if allowed and (outcome != "done" or status != TARGET[action]):
                problems.append(f"{state} {action} {role}: refused ({outcome})")
            if not allowed and (outcome != "not_allowed" or status != state):
                problems.append(f"{state} {action} {role}: {outcome}, now {status}")
    assert problems == []


@pytest.mark.parametrize("state", ["requested", "scheduled"])
def test_no_cancel_after_the_visit(world, data_app, state):
    """Once the visit's time has passed the supplier cannot cancel it; the agency records or closes it."""
    item = GuidanceRequest(organisation_id=world.org.id, site=world.site, topic="noise", description="x",
                           preferred_dates=["2030-01-01"], status=state,
                           visit_at=datetime.now(UTC) - timedelta(minutes=5))
    db.session.add(item)
    db.session.commit()
    with data_app.test_request_context(), pytest.raises(ServiceError) as refused:
        guidance.act(item, "cancel", "", expected_version=item.version_id, actor=world.admin)
    assert refused.value.code == "too_late"
    db.session.rollback()
    assert db.session.get(GuidanceRequest, item.id).status == state
