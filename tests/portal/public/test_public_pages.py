"""The public information platform shows only what is published: search, the supplier profile, the notices, the
Atom feed and the CSV, with unpublished data of every kind present in the database beside it."""

import csv
import io
from decimal import Decimal
from xml.etree import ElementTree as ET

from portal.extensions import db
from portal.public.models import Tip
from tests.portal.public.conftest import SECRETS

ATOM = "{http://www.w3.org/2005/Atom}"


def every_public_text(client, world) -> dict[str, str]:
    code = world.org.credit_code
    pages = {path: client.get(path) for path in (
        "/public/", f"/public/?q={code}", f"/public/suppliers/{code}", "/public/notices",
        f"/public/notices/{world.noticed.id}", "/public/notices.atom", "/public/published.csv", "/public/tips/new")}
    for path, response in pages.items():
        assert response.status_code == 200, path
    return {path: response.get_data(as_text=True) for path, response in pages.items()}


def test_nothing_unpublished_reaches_a_public_page_the_feed_or_the_csv(world, client):
    texts = every_public_text(client, world)
    for path, text in texts.items():
        leaked = [secret for secret in SECRETS if secret in text]
        assert leaked == [], f"{path} shows {leaked}"
    profile = texts[f"/public/suppliers/{world.org.credit_code}"]
    # ... while what is published is there: the rating, both penalties (the reviewed explanation only), the
    # verified project, the funding in its notice, the accepted tip's published text.
    for shown in ("深环罚〔2025〕RECT号", "深环罚〔2025〕OPEN号", "REVIEWED-EXPLANATION 已更换膜组件",
                  "DONE-PLAN 除尘改造", "PUBLISHED-PROJECT 废水提标", "1,500,000", "PUBLISHED-TIP 夜间异味",
                  "深圳市生态环境局"):
        assert shown in profile, shown
    assert "PUBLISHED-PROJECT" in texts["/public/notices"] and "PUBLISHED-PROJECT" in texts["/public/notices.atom"]
    assert "PUBLISHED-TIP" in texts["/public/published.csv"] and "DONE-PLAN" in texts["/public/published.csv"]


def test_an_application_before_its_notice_is_not_found(world, client):
    assert client.get(f"/public/notices/{world.approved.id}").status_code == 404
    assert client.post(f"/public/notices/{world.approved.id}/objections", data={
        "name": "王五", "contact": "13800000000", "text": "x"}).status_code == 404


def test_notices_and_results_stay_published_after_the_notice(world, client):
    world.noticed.status = "agreement"
    db.session.commit()
    page = client.get(f"/public/notices/{world.noticed.id}").get_data(as_text=True)
    assert "PUBLISHED-PROJECT" in page and 'name="contact"' not in page
    assert "PUBLISHED-PROJECT" in client.get("/public/notices").get_data(as_text=True)


def test_search_finds_suppliers_by_name_or_code_and_lists_no_other_kind(world, make, client):
    buyer = make.org("buyer", name_zh="深圳市公开测试采购有限公司")
    by_name = client.get("/public/?q=公开测试").get_data(as_text=True)
    assert f"/public/suppliers/{world.org.credit_code}" in by_name and buyer.name_zh not in by_name
    by_code = client.get(f"/public/?q={world.org.credit_code[-8:].lower()}").get_data(as_text=True)
    assert world.org.credit_code in by_code
    nothing = client.get("/public/?q=不存在的企业").get_data(as_text=True)
    assert f"/public/suppliers/{world.org.credit_code}" not in nothing
    assert client.get(f"/public/suppliers/{buyer.credit_code}").status_code == 404
    assert client.get(f"/public/suppliers/{world.org.credit_code.lower()}").status_code == 200


def test_text_from_the_public_and_suppliers_is_escaped(world, client):
    db.session.add(Tip(organisation_id=world.org.id, text="x", status="accepted",
                       published_text='<script>alert("tip")</script>', decided_at=world.noticed.created_at))
    world.noticed.plan.title = "<b>&</b> 项目"
    db.session.commit()
    profile = client.get(f"/public/suppliers/{world.org.credit_code}").get_data(as_text=True)
    assert '<script>alert("tip")' not in profile and "&lt;script&gt;alert(" in profile
    notice = client.get(f"/public/notices/{world.noticed.id}").get_data(as_text=True)
    assert "<b>&</b>" not in notice and "&lt;b&gt;&amp;&lt;/b&gt;" in notice


def test_the_feed_is_atom_with_its_text_escaped(world, client):
    world.noticed.plan.title = "<b>&</b> 项目"
    db.session.commit()
    response = client.get("/public/notices.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("title", "id", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1  # the approved application is not in its notice yet
    entry = entries[0]
    assert "<b>&</b> 项目" in entry.find(f"{ATOM}title").text  # parsed back: escaped in the document
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/public/notices/{world.noticed.id}")
    assert entry.find(f"{ATOM}id").text and entry.find(f"{ATOM}updated").text


def test_the_csv_has_a_bom_neutralises_formulas_and_holds_only_published_rows(world, client):
    world.done_plan.title = '=HYPERLINK("http://evil.example","x")'
    db.session.add(Tip(organisation_id=world.org.id, text="x", status="accepted", published_text="@SUM(A1)",
                       decided_at=world.noticed.created_at))
    world.noticed.approved_amount = Decimal("1500000")
    db.session.commit()
    response = client.get("/public/published.csv")
    assert response.data.startswith("\ufeff".encode())
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells and "'@SUM(A1)" in cells
    kinds = {row[0] for row in rows[1:]}
    assert kinds >= {"supplier", "credit_rating", "penalty", "penalty_explanation", "upgrade_project", "funding", "tip"}
    funding = [row for row in rows if row[0] == "funding"]
    assert len(funding) == 1 and funding[0][4] == world.noticed.reference and funding[0][7] == "1500000.00"


def test_the_csv_names_the_buyers_whose_chain_a_supplier_is_in(world, client, make):
    from portal.chains.models import ChainLink

    buyer = make.org("buyer", name_zh="公开采购商")
    db.session.add(ChainLink(buyer_organisation_id=buyer.id, supplier_organisation_id=world.org.id, tier=1))
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get("/public/published.csv").data.decode("utf-8-sig"))))
    chain = [row for row in rows if row[0] == "chain_buyer"]
    assert [(row[1], row[4]) for row in chain] == [(world.org.credit_code, "公开采购商")]
    assert "公开采购商" not in {row[4] for row in rows if row[0] == "supplier"}
