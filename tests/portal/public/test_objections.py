"""Objections to a public notice: name and contact required, only during the notice period, rate-limited; the
authority records a resolution for each, and the notice cannot end before the period is over and all are
resolved. The objection's own text never appears on a public page."""

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from portal import create_app
from portal.audit.models import AuditEvent
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding import objections, services
from portal.funding.objections import Objection
from portal.notifications.models import Notification
from tests.conftest import login
from tests.portal.public.conftest import city_today

VALID = {"name": "王五", "contact": "13800000000", "text": "该项目投资额与实际不符。"}


def objections_now(world):
    db.session.expire_all()
    return db.session.scalars(select(Objection).where(Objection.application_id == world.noticed.id)
                              .order_by(Objection.id)).all()


def test_an_objection_needs_a_name_and_a_contact_and_keeps_what_was_typed(world, make, english):
    url = f"/public/notices/{world.noticed.id}/objections"
    response = english.post(url, data={"name": "", "contact": " ", "text": "我的异议内容"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "anonymous objections are not accepted" in page and 'id="name-error"' in page
    assert 'id="contact-error"' in page and 'aria-describedby="contact-error"' in page
    assert "我的异议内容" in page and len(objections_now(world)) == 1  # only the world's own
    authority = make.user(make.org("authority"))
    assert english.post(url, data=VALID).status_code == 302
    told = db.session.scalars(select(Notification).where(Notification.user_id == authority.id)).one()
    assert told.kind == "funding.objection_filed" and str(world.noticed.id) in told.link
    filed = objections_now(world)[-1]
    assert (filed.name, filed.contact, filed.status) == ("王五", "13800000000", "received")
    assert filed.ip_hash and "127.0.0.1" not in filed.ip_hash and len(filed.ip_hash) == 64


@pytest.mark.parametrize("field, value, message", [
    ("name", "匿名", "anonymous objections are not accepted"),
    ("name", "Anonymous", "anonymous objections are not accepted"),
    ("name", "王", "anonymous objections are not accepted"),
    ("contact", "x", "at least 7 digits"),
    ("contact", "12345", "at least 7 digits"),
    ("contact", "unknown", "at least 7 digits"),
    ("contact", "保密保密保密", "at least 7 digits"),
    ("text", "短", "at least 10 characters"),
])
def test_an_objection_without_a_real_name_a_way_to_answer_or_reasons_is_refused_beside_the_field(
        world, english, field, value, message):
    response = english.post(f"/public/notices/{world.noticed.id}/objections", data={**VALID, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and f'id="{field}-error"' in page
    assert len(objections_now(world)) == 1  # only the world's own


@pytest.mark.parametrize("contact", ["0755-8888888", "wang@example.com", "深圳市福田区福华一路1号",
                                     "Room 3, 18 Fuhua Road, Futian"])
def test_a_telephone_an_e_mail_or_a_postal_address_reaches_the_objector(world, english, contact):
    response = english.post(f"/public/notices/{world.noticed.id}/objections", data={**VALID, "contact": contact})
    assert response.status_code == 302 and objections_now(world)[-1].contact == contact


@pytest.mark.parametrize("shift", ["before", "after"])
def test_objections_are_accepted_only_during_the_notice_period(world, english, shift):
    today = city_today()
    if shift == "before":
        world.noticed.notice_starts_on, world.noticed.notice_ends_on = today + timedelta(1), today + timedelta(8)
    else:
        world.noticed.notice_starts_on, world.noticed.notice_ends_on = today - timedelta(9), today - timedelta(1)
    db.session.commit()
    response = english.post(f"/public/notices/{world.noticed.id}/objections", data=VALID)
    assert response.status_code == 422
    assert "only during its notice period" in response.get_data(as_text=True)
    assert len(objections_now(world)) == 1
    assert 'name="contact"' not in english.get(f"/public/notices/{world.noticed.id}").get_data(as_text=True)


def test_the_last_day_of_the_notice_still_accepts_objections(world, english):
    world.noticed.notice_ends_on = city_today()
    db.session.commit()
    assert english.post(f"/public/notices/{world.noticed.id}/objections", data=VALID).status_code == 302


def test_objections_are_rate_limited_per_address_and_the_text_is_kept(world, english):
    url = f"/public/notices/{world.noticed.id}/objections"
    assert english.post(url, data={**VALID, "name": ""}).status_code == 422  # a refused form does not count
    for _ in range(5):
        assert english.post(url, data=VALID).status_code == 302
    limited = english.post(url, data={**VALID, "text": "第六份异议"})
    assert limited.status_code == 429
    page = limited.get_data(as_text=True)
    assert "Please wait a while" in page and "第六份异议" in page
    assert len(objections_now(world)) == 6


def test_the_public_sees_a_count_and_the_published_resolution_never_the_objection(world, make, english):
    page = english.get(f"/public/notices/{world.noticed.id}").get_data(as_text=True)
    assert "1 objection(s) received" in page and "being examined" in page
    assert "SECRET-OBJECTION-TEXT" not in page and "SECRET-OBJECTOR-NAME" not in page
    authority = make.user(make.org("authority"))
    objections.resolve(objections_now(world)[0], "dismissed", "经核实，投资凭证齐全，异议不成立。",
                       expected_version=None, actor=authority)
    db.session.commit()
    page = english.get(f"/public/notices/{world.noticed.id}").get_data(as_text=True)
    assert "经核实，投资凭证齐全，异议不成立。" in page and "dismissed" in page and "being examined" not in page
    assert "SECRET-OBJECTION-TEXT" not in page


def test_the_authority_records_a_resolution_for_each_objection_and_it_is_audited(world, make, app):
    objection = objections_now(world)[0]
    authority, agency = make.user(make.org("authority"), locale="en"), make.user(make.org("agency"), locale="en")
    supplier = make.user(world.org, locale="en")
    clients = {}
    for name, user in (("authority", authority), ("agency", agency), ("supplier", supplier)):
        clients[name] = app.test_client()
        login(clients[name], user)
    page = clients["authority"].get(f"/funding/applications/{world.noticed.id}").get_data(as_text=True)
    assert "SECRET-OBJECTION-TEXT" in page and "SECRET-OBJECTOR-NAME" in page and "Record the resolution" in page
    agency_page = clients["agency"].get(f"/funding/applications/{world.noticed.id}").get_data(as_text=True)
    # The technical agency (whose experts scored the application) never learns who objected, nor what they wrote.
    assert agency_page and "Record the resolution" not in agency_page
    assert not [secret for secret in ("SECRET-OBJECTION-TEXT", "SECRET-OBJECTOR-NAME", "SECRET-OBJECTOR-CONTACT")
                if secret in agency_page]
    url = f"/funding/objections/{objection.id}/resolve"
    assert clients["agency"].post(url, data={"outcome": "upheld", "resolution": "x"}).status_code == 404
    assert clients["supplier"].post(url, data={"outcome": "upheld", "resolution": "x"}).status_code == 404
    refused = clients["authority"].post(url, data={"outcome": "", "resolution": "异议部分成立"})
    assert refused.status_code == 422 and "upheld or dismissed" in refused.get_data(as_text=True)
    assert "异议部分成立" in refused.get_data(as_text=True)
    refused = clients["authority"].post(url, data={"outcome": "upheld", "resolution": " "})
    assert refused.status_code == 422 and objections_now(world)[0].status == "received"
    done = clients["authority"].post(url, data={"outcome": "upheld", "resolution": "异议成立，核减补助金额。",
                                                "version": objection.version_id})
    assert done.status_code == 302
    assert objections_now(world)[0].status == "upheld" and objections_now(world)[0].resolved_by_id == authority.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "funding.objection_resolved")).one()
    assert event.summary["outcome"] == "upheld" and event.organisation_id == world.org.id
    again = clients["authority"].post(url, data={"outcome": "dismissed", "resolution": "改判"})
    assert again.status_code == 409 and objections_now(world)[0].status == "upheld"


def test_the_notice_ends_only_after_its_period_and_once_every_objection_is_resolved(world, make):
    authority = make.user(make.org("authority"))
    application = world.noticed
    with pytest.raises(ServiceError) as running:
        objections.require_resolved(application, city_today())
    assert running.value.code == "notice_running"
    with pytest.raises(ServiceError) as unresolved:
        objections.require_resolved(application, application.notice_ends_on + timedelta(1))
    assert unresolved.value.code == "objections_open"
    objections.resolve(objections_now(world)[0], "dismissed", "不成立", expected_version=None, actor=authority)
    db.session.commit()
    objections.require_resolved(application, application.notice_ends_on + timedelta(1))  # no longer refused


def test_end_notice_in_the_workflow_checks_the_objections(world, make):
    authority = make.user(make.org("authority"))
    application = world.noticed
    after = application.notice_ends_on + timedelta(1)
    with pytest.raises(ServiceError) as refused:
        services.act(application, "end_notice", "公示期满", expected_version=None, actor=authority, today=after)
    assert refused.value.code == "objections_open"
    db.session.rollback()
    objections.resolve(objections_now(world)[0], "dismissed", "不成立", expected_version=None, actor=authority)
    db.session.commit()
    application = db.session.get(type(application), application.id)
    with pytest.raises(ServiceError) as early:
        services.act(application, "end_notice", "公示期满", expected_version=None, actor=authority,
                     today=application.notice_ends_on)
    assert early.value.code == "notice_running"
    db.session.rollback()
    application = db.session.get(type(application), application.id)
    with current_app.test_request_context():  # the step e-mails the supplier with a link
        services.act(application, "end_notice", "公示期满，异议已处理", expected_version=None, actor=authority,
                     today=after)
    assert application.status == "agreement"


def test_the_objection_form_carries_a_csrf_token_and_a_post_without_it_is_refused(world, app):
    strict = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None,
                         "WTF_CSRF_ENABLED": True})
    client = strict.test_client()
    page = client.get(f"/public/notices/{world.noticed.id}").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert client.post(f"/public/notices/{world.noticed.id}/objections", data=VALID).status_code == 400
    assert len(objections_now(world)) == 1


def test_while_the_notice_runs_the_authority_sees_why_it_cannot_end_it_yet(world, make, app):
    """The end button is shown disabled with the reason, instead of a button that only answers with an error."""
    client = app.test_client()
    login(client, make.user(make.org("authority"), locale="en"))
    page = client.get(f"/funding/applications/{world.noticed.id}").get_data(as_text=True)
    form = page[page.index('data-transition="end_notice"'):]
    form = form[:form.index("</form>")]
    assert "The notice period runs until" in form and 'disabled aria-describedby="not-yet-end_notice"' in form
    # Once the period is over and each objection has its resolution, the button is live.
    objections.resolve(objections_now(world)[0], "dismissed", "不成立", expected_version=None,
                       actor=make.user(make.org("authority")))
    db.session.get(type(world.noticed), world.noticed.id).notice_ends_on = city_today() - timedelta(days=1)
    db.session.commit()
    page = client.get(f"/funding/applications/{world.noticed.id}").get_data(as_text=True)
    form = page[page.index('data-transition="end_notice"'):]
    assert "not-yet-end_notice" not in form[:form.index("</form>")]
