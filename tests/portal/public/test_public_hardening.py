"""The public platform against what the open internet sends: ids too large for the database, control characters in
text, senders hiding behind X-Forwarded-For or rotating through their IPv6 /64, and lists that must not cost one
query per row."""

import hashlib
import hmac
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from babel.dates import format_date
from sqlalchemy import select

from portal import create_app
from portal.config import Settings
from portal.extensions import db
from portal.funding.objections import MAX_RESOLUTION, Objection
from portal.public.models import MAX_PUBLISHED, Tip
from portal.requesters import address_hash, sender_key
from tests.conftest import login

ATOM = "{http://www.w3.org/2005/Atom}"
HUGE = "99999999999999999999999"
VALID = {"name": "王五", "contact": "13800000000", "text": "该项目投资额与实际不符。"}


def test_an_id_too_large_for_the_database_is_not_found(world, make, client):
    assert client.get(f"/public/notices/{HUGE}").status_code == 404
    assert client.post(f"/public/notices/{HUGE}/objections", data=VALID).status_code == 404
    assert client.get(f"/public/notices/{2**31}").status_code == 404
    login(client, make.user(make.org("authority")))
    assert client.get(f"/funding/applications/{HUGE}").status_code == 404
    assert client.get(f"/funding/applications/{world.noticed.id}").status_code == 200


def test_a_control_character_in_a_title_does_not_break_the_feed(world, client):
    world.noticed.plan.title = "PUBLISHED-PROJECT\x0b 废水\x01提标\x1f"
    db.session.commit()
    response = client.get("/public/notices.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.data)  # a parser refuses the whole document for one such character
    title = feed.find(f"{ATOM}entry").find(f"{ATOM}title").text
    assert "PUBLISHED-PROJECT 废水提标" in title


def test_feed_ids_come_from_the_configured_address_not_the_request(world, app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://portal.example.cn")
    feed = ET.fromstring(client.get("/public/notices.atom", base_url="http://attacker.example").data)
    assert feed.find(f"{ATOM}id").text == "https://portal.example.cn/public/notices.atom"
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text == f"https://portal.example.cn/public/notices/{world.noticed.id}"
    assert "attacker" not in client.get("/public/notices.atom", base_url="http://attacker.example").get_data(
        as_text=True)


def test_the_notice_summary_is_written_for_the_reader_s_locale(world, english, client):
    start = world.noticed.notice_starts_on
    summary = ET.fromstring(english.get("/public/notices.atom").data).find(f"{ATOM}entry").find(f"{ATOM}summary")
    assert "1,500,000" in summary.text and format_date(start, "long", locale="en") in summary.text
    chinese = ET.fromstring(client.get("/public/notices.atom").data).find(f"{ATOM}entry").find(f"{ATOM}summary")
    assert format_date(start, "long", locale="zh") in chinese.text


def test_the_public_limit_counts_an_ipv6_sender_by_its_64_network(world, english):
    url = f"/public/notices/{world.noticed.id}/objections"
    for host in range(1, 6):
        sent = english.post(url, data=VALID, environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{host}"})
        assert sent.status_code == 302
    assert english.post(url, data=VALID, environ_base={"REMOTE_ADDR": "2001:db8:1:2:ffff::9"}).status_code == 429
    assert english.post(url, data=VALID, environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code == 302
    assert sender_key("2001:db8:1:2:abcd::1") == "2001:db8:1:2::/64" and sender_key("203.0.113.9") == "203.0.113.9"
    assert sender_key("::ffff:203.0.113.9") == "203.0.113.9"


def test_x_forwarded_for_is_ignored_unless_proxies_are_configured(world, app, english):
    url = f"/public/notices/{world.noticed.id}/objections"
    for n in range(5):
        assert english.post(url, data=VALID, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code == 302
    assert english.post(url, data=VALID, headers={"X-Forwarded-For": "198.51.100.77"}).status_code == 429
    stored = db.session.scalars(select(Objection.ip_hash).where(Objection.ip_hash.is_not(None))).all()
    with app.app_context():
        assert set(stored) == {address_hash("127.0.0.1")}
    assert Settings.from_env({"PORTAL_ENV": "testing"}).flask_config()["PROXY_HOPS"] == 0
    assert Settings.from_env({"PORTAL_ENV": "testing", "TRUSTED_PROXIES": "2"}).flask_config()["PROXY_HOPS"] == 2


def test_behind_a_configured_proxy_the_forwarded_address_counts(world, app):
    proxied = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": None,
                          "WTF_CSRF_ENABLED": False, "PROXY_HOPS": 1})
    client = proxied.test_client()
    url = f"/public/notices/{world.noticed.id}/objections"
    assert client.post(url, data=VALID, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 302
    with proxied.app_context():
        expected = address_hash("198.51.100.7")
        stored = db.session.scalars(select(Objection.ip_hash).where(Objection.ip_hash.is_not(None))).all()
        assert stored == [expected]


def test_the_sender_hash_is_not_keyed_with_the_secret_key_itself(app):
    with app.app_context():
        plain = hmac.new(str(app.config["SECRET_KEY"]).encode(), b"203.0.113.9", hashlib.sha256).hexdigest()
        assert address_hash("203.0.113.9") != plain and len(address_hash("203.0.113.9")) == 64
        assert address_hash(None) is None


def test_the_csv_costs_the_same_queries_however_many_notices(world, make, client, queries_of):
    _, few = queries_of(client, "/public/published.csv")
    for n in range(3):
        other = world.application(f"另一个项目{n}", "agreement", amount=None, starts=world.noticed.notice_starts_on,
                                  ends=world.noticed.notice_ends_on)
        db.session.add(Objection(application_id=other.id, name="x", contact="y", text="z", status="dismissed",
                                 resolution=f"RESOLUTION-{n}", resolved_at=datetime.now(UTC)))
    db.session.commit()
    response, many = queries_of(client, "/public/published.csv")
    assert "RESOLUTION-2" in response.get_data(as_text=True)
    assert many == few


def test_the_authority_dashboard_costs_the_same_queries_however_many_objections(world, make, app, queries_of):
    client = app.test_client()
    login(client, make.user(make.org("authority"), locale="en"))
    _, few = queries_of(client, "/dashboard")
    for n in range(3):
        other = world.application(f"异议项目{n}", "public_notice", amount=None,
                                  starts=world.noticed.notice_starts_on, ends=world.noticed.notice_ends_on)
        db.session.add(Objection(application_id=other.id, name="x", contact="y", text="z"))
    db.session.commit()
    response, many = queries_of(client, "/dashboard")
    assert response.get_data(as_text=True).count("Objection to the public notice") == 4
    assert many == few


def test_a_resolution_and_a_published_tip_text_have_a_length_limit(world, make, app):
    objection = db.session.scalars(select(Objection).where(Objection.application_id == world.noticed.id)).one()
    authority = app.test_client()
    login(authority, make.user(make.org("authority"), locale="en"))
    page = authority.get(f"/funding/applications/{world.noticed.id}").get_data(as_text=True)
    assert f'maxlength="{MAX_RESOLUTION}"' in page
    too_long = "异" * (MAX_RESOLUTION + 1)
    refused = authority.post(f"/funding/objections/{objection.id}/resolve",
                             data={"outcome": "dismissed", "resolution": too_long, "version": objection.version_id})
    assert refused.status_code == 422 and too_long in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).status == "received"
    tip = db.session.scalars(select(Tip).where(Tip.status == "new")).first()
    queue = authority.get("/tips").get_data(as_text=True)
    assert f'maxlength="{MAX_PUBLISHED}"' in queue
    refused = authority.post(f"/tips/{tip.id}/decide", data={"decision": "accepted", "version": tip.version_id,
                                                             "published_text": "文" * (MAX_PUBLISHED + 1)})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(Tip, tip.id).status == "new"
