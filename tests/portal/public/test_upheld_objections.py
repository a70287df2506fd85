"""An upheld objection changes something: the notice cannot end as it is; the authority rejects the application
(which stays published as rejected after the notice) or reconsiders the amount, and approving it again starts a
new notice period, whose end an objection of the earlier period no longer blocks."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import select

from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import objections, services
from portal.funding.models import FundingApplication
from portal.notifications.models import Notification
from tests.portal.public.conftest import city_today


@pytest.fixture
def upheld(world, make):
    """The world's notice, its objection upheld by the authority; the supplier has an admin to be told."""
    authority = make.user(make.org("authority"), locale="en")
    supplier_admin = make.user(world.org, locale="en")
    objection = db.session.scalars(select(objections.Objection)
                                   .where(objections.Objection.application_id == world.noticed.id)).one()
    with current_app.test_request_context():
        objections.resolve(objection, "upheld", "异议成立：投资额与凭证不符，需重新核定。", expected_version=None,
                           actor=authority)
    db.session.commit()
    return authority, supplier_admin


def act(application, action, comment, authority, today, **kwargs):
    with current_app.test_request_context():
        services.act(db.session.get(FundingApplication, application.id), action, comment, expected_version=None,
                     actor=authority, today=today, **kwargs)
    db.session.commit()
    return db.session.get(FundingApplication, application.id)


def test_an_upheld_objection_stops_the_end_of_the_notice_and_the_supplier_hears_of_it(world, upheld):
    authority, supplier_admin = upheld
    told = db.session.scalars(select(Notification).where(Notification.user_id == supplier_admin.id)).all()
    assert [n.kind for n in told] == ["funding.objection_upheld"]
    with pytest.raises(ServiceError) as refused:
        act(world.noticed, "end_notice", "公示期满", authority, world.noticed.notice_ends_on + timedelta(1))
    assert refused.value.code == "objection_upheld"
    db.session.rollback()
    assert db.session.get(FundingApplication, world.noticed.id).status == "public_notice"


def test_rejected_after_the_notice_stays_published_with_its_result(world, upheld, english):
    authority, _ = upheld
    with pytest.raises(ServiceError) as no_reasons:
        act(world.noticed, "reject", " ", authority, city_today())
    assert no_reasons.value.field == "comment"
    db.session.rollback()
    application = act(world.noticed, "reject", "异议成立，不予支持。", authority, city_today())
    assert application.status == "rejected" and application.decision_reasons == "异议成立，不予支持。"
    page = english.get(f"/public/notices/{world.noticed.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Rejected after the notice" in text
    assert "异议成立：投资额与凭证不符，需重新核定。" in text  # the published resolution stays
    assert "PUBLISHED-PROJECT" in english.get("/public/notices").get_data(as_text=True)
    assert "Rejected after the notice" in english.get("/public/published.csv").get_data(as_text=True)
    # One rejected before any notice never was published.
    world.approved.status = "rejected"
    db.session.commit()
    assert english.get(f"/public/notices/{world.approved.id}").status_code == 404


def test_reconsidering_decides_the_amount_again_and_a_new_notice_starts(world, upheld):
    authority, _ = upheld
    world.programme.amount_rule = {"share": "0.5"}
    db.session.commit()
    first_end = world.noticed.notice_ends_on
    with pytest.raises(ServiceError) as no_comment:
        act(world.noticed, "reconsider", "", authority, city_today())
    assert no_comment.value.field == "comment"
    db.session.rollback()
    application = act(world.noticed, "reconsider", "异议成立，重新核定金额。", authority, city_today())
    assert application.status == "decision"
    application = act(application, "approve", "核减后批准", authority, city_today(), amount=Decimal("800000"))
    assert application.status == "approved" and application.approved_amount == Decimal("800000")
    later = first_end + timedelta(days=1)
    application = act(application, "start_notice", "", authority, later)
    assert application.status == "public_notice" and application.notice_starts_on == later
    assert application.notice_ends_on > later
    # The objection upheld in the first notice was acted on: it does not block the end of the new one.
    application = act(application, "end_notice", "新公示期满，无异议", authority,
                      application.notice_ends_on + timedelta(days=1))
    assert application.status == "agreement"


def test_an_objection_upheld_in_the_new_notice_blocks_it_again(world, upheld):
    authority, _ = upheld
    world.programme.amount_rule = {"share": "0.5"}
    db.session.commit()
    application = act(world.noticed, "reconsider", "重新核定", authority, city_today())
    application = act(application, "approve", "", authority, city_today(), amount=Decimal("800000"))
    application = act(application, "start_notice", "", authority, city_today())
    db.session.add(objections.Objection(application_id=application.id, name="李四", contact="13900000000",
                                        text="仍有异议", status="upheld", resolution="成立",
                                        resolved_at=datetime.now(UTC)))
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        act(application, "end_notice", "期满", authority, application.notice_ends_on + timedelta(days=1))
    assert refused.value.code == "objection_upheld"


def test_the_application_page_offers_reject_and_reconsider_during_the_notice(world, upheld, app):
    from tests.conftest import login

    authority, _ = upheld
    client = app.test_client()
    login(client, authority)
    page = client.get(f"/funding/applications/{world.noticed.id}").get_data(as_text=True)
    assert 'data-transition="reconsider"' in page and 'data-transition="reject"' in page
    assert "Reconsider the amount" in page
