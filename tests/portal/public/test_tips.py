"""Tips from the public: sent without login (rate-limited), never shown before a reviewer accepts one, and then
only the text the reviewer published; every decision is audited."""

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.public.models import Tip
from tests.conftest import login


def tips_now():
    db.session.expire_all()
    return db.session.scalars(select(Tip).order_by(Tip.id)).all()


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_a_tip_names_a_registered_supplier_or_none(world, make, english):
    buyer = make.org("buyer")
    refused = english.post("/public/tips/new", data={"credit_code": buyer.credit_code, "text": "夜间排放异味"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="credit_code-error"' in page and "夜间排放异味" in page
    assert english.post("/public/tips/new", data={"credit_code": "", "text": ""}).status_code == 422
    assert english.post("/public/tips/new", data={"credit_code": world.org.credit_code.lower(), "text": "夜间排放异味",
                                                  "contact": "13900000000"}).status_code == 302
    assert english.post("/public/tips/new", data={"text": "某电镀厂偷排"}).status_code == 302
    sent = tips_now()[-2:]
    assert sent[0].organisation_id == world.org.id and sent[0].contact == "13900000000" and sent[0].status == "new"
    assert sent[1].organisation_id is None and sent[0].ip_hash and sent[0].ip_hash != "127.0.0.1"


def test_tips_are_rate_limited_and_the_text_is_kept(world, english):
    for n in range(5):
        assert english.post("/public/tips/new", data={"text": f"线索{n}"}).status_code == 302
    limited = english.post("/public/tips/new", data={"text": "第六条线索"})
    assert limited.status_code == 429 and "第六条线索" in limited.get_data(as_text=True)
    assert english.get("/public/tips/new").status_code == 200  # reading the form is not limited


def test_a_tip_is_shown_only_once_accepted_and_only_in_the_reviewers_words(world, make, app, english):
    english.post("/public/tips/new", data={"credit_code": world.org.credit_code,
                                           "text": "RAW 张三说夜间偷排 13800000000"})
    tip = tips_now()[-1]
    profile = f"/public/suppliers/{world.org.credit_code}"
    assert "RAW" not in english.get(profile).get_data(as_text=True)
    assert "RAW" not in english.get("/public/published.csv").get_data(as_text=True)
    reviewer = signed_in(app, make.user(make.org("agency"), locale="en"))
    queue = reviewer.get("/tips").get_data(as_text=True)
    assert "RAW 张三说夜间偷排" in queue  # shown to read, not offered as the text to publish
    box = queue.split(f'id="published-{tip.id}"')[1].split("</textarea>")[0]
    assert box.endswith(">") and "RAW" not in box
    refused = reviewer.post(f"/tips/{tip.id}/decide", data={"decision": "accepted", "published_text": " ",
                                                            "version": tip.version_id})
    assert refused.status_code == 422 and tips_now()[-1].status == "new"
    assert reviewer.post(f"/tips/{tip.id}/decide", data={
        "decision": "accepted", "published_text": "有群众反映该企业夜间排放废水，已转执法部门核查。",
        "version": tip.version_id}).status_code == 302
    page = english.get(profile).get_data(as_text=True)
    assert "有群众反映该企业夜间排放废水" in page and "RAW" not in page and "13800000000" not in page
    assert "有群众反映该企业夜间排放废水" in english.get("/public/published.csv").get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "public.tip_accepted")).one()
    assert event.organisation_id == world.org.id
    again = reviewer.post(f"/tips/{tip.id}/decide", data={"decision": "dismissed", "note": "x"})
    assert again.status_code == 409 and tips_now()[-1].status == "accepted"


def test_a_dismissed_tip_needs_a_reason_and_is_never_shown(world, make, app, english):
    english.post("/public/tips/new", data={"credit_code": world.org.credit_code, "text": "DISMISS-ME 竞争对手诽谤"})
    tip = tips_now()[-1]
    authority = signed_in(app, make.user(make.org("authority"), locale="en"))
    refused = authority.post(f"/tips/{tip.id}/decide", data={"decision": "dismissed", "note": ""})
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    done = authority.post(f"/tips/{tip.id}/decide", data={"decision": "dismissed", "note": "经核查不属实"})
    assert done.status_code == 302
    assert tips_now()[-1].status == "dismissed" and tips_now()[-1].published_text is None
    assert "DISMISS-ME" not in english.get(f"/public/suppliers/{world.org.credit_code}").get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "public.tip_dismissed")).one()


def test_only_the_authority_and_its_agency_see_tips(world, make, app):
    tip = tips_now()[0]
    supplier = signed_in(app, make.user(world.org))
    assert supplier.get("/tips").status_code == 403
    assert supplier.post(f"/tips/{tip.id}/decide", data={"decision": "accepted", "published_text": "x"}).status_code \
        == 404
    admin = signed_in(app, make.user(None))
    assert admin.post(f"/tips/{tip.id}/decide", data={"decision": "accepted", "published_text": "x"}).status_code \
        == 403
    assert tips_now()[0].status == "new"
    assert app.test_client().get("/tips").status_code == 302  # the queue is not public


def test_the_dashboard_lists_tips_to_review_and_objections_to_resolve(world, make, app):
    agency = signed_in(app, make.user(make.org("agency"), locale="en"))
    authority = signed_in(app, make.user(make.org("authority"), locale="en"))
    supplier = signed_in(app, make.user(world.org, locale="en"))
    assert "Tips from the public waiting for review" in agency.get("/dashboard").get_data(as_text=True)
    home = authority.get("/dashboard").get_data(as_text=True)
    assert "Tips from the public waiting for review" in home and world.noticed.reference in home
    assert "Record how it was resolved before the notice ends." in home
    assert "Record how it was resolved" not in agency.get("/dashboard").get_data(as_text=True)
    assert "Tips from the public" not in supplier.get("/dashboard").get_data(as_text=True)
