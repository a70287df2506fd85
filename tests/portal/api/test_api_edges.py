"""The buyers' API at its edges: credit codes that are no credit code, made-up tokens, what a supplier shares
with another buyer only, tier-2 suppliers, a share withdrawn, and addresses built from the portal's own URL."""

import pytest
from sqlalchemy import delete

from portal.assessment.models import AssessmentShare
from portal.chains.models import ChainConsent, ReportShare
from portal.extensions import db
from portal.funding.models import FundingApplication
from portal.plans.models import UpgradePlan
from tests.portal.api.conftest import add_shared_supplier, link


@pytest.mark.parametrize("code", ["%00", "A" * 17 + "%00", "91440300MA5%0A12345", "%20" * 18, "x" * 19,
                                  "%E9%87%87" * 6])
def test_a_code_that_is_no_credit_code_is_not_found(app, chain, code):
    api = app.test_client()
    for suffix in ("", "/reports", "/assessments"):
        response = api.get(f"/api/v1/suppliers/{code}{suffix}", headers=chain.headers)
        assert response.status_code == 404 and response.json["error"] == "not_found", (code, suffix)
        assert response.headers["Cache-Control"] == "no-store"


def test_a_legacy_credit_code_is_still_found(app, make, chain):
    # 18 printable characters, not the GB 32100 shape: accepted by a platform admin.
    legacy = make.org("supplier", credit_code="ABC-1234567890-XYZ", credit_code_legacy=True)
    link(chain.buyer, legacy)
    response = app.test_client().get(f"/api/v1/suppliers/{legacy.credit_code}", headers=chain.headers)
    assert response.status_code == 200 and response.json["credit_code"] == "ABC-1234567890-XYZ"


def test_made_up_tokens_share_the_budget_of_their_address(app, chain, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    api = app.test_client()
    statuses = [api.get("/api/v1/suppliers", headers={"Authorization": f"Bearer gsc_guess{n}"}).status_code
                for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert api.get("/api/v1/suppliers").status_code == 429  # no token at all: the same address's budget
    # A valid token keeps its own budget.
    assert api.get("/api/v1/suppliers", headers=chain.headers).status_code == 200


def test_the_public_document_is_rate_limited_per_address_with_a_json_answer(app, chain, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    api = app.test_client()
    statuses = [api.get("/api/openapi.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/openapi.json", headers=chain.headers)  # a token does not open another budget
    assert limited.status_code == 429 and limited.json["error"] == "too_many_requests"
    assert limited.headers["Cache-Control"] == "no-store"
    other = app.test_client()
    assert other.get("/api/openapi.json", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert api.get("/api/v1/suppliers", headers=chain.headers).status_code == 200  # the API keeps its own budget


def test_what_a_supplier_shares_with_another_buyer_only_stays_hidden(app, make, benchmark, chain):
    other_buyer = make.org("buyer")
    both = add_shared_supplier(make, benchmark, other_buyer, name="两链企业")  # shares with the other buyer
    link(chain.buyer, both)  # and is in this buyer's chain too, sharing nothing with it
    api = app.test_client()
    answer = api.get(f"/api/v1/suppliers/{both.credit_code}", headers=chain.headers).json
    assert answer["latest_assessment"] is None and answer["progress"] is None
    assert answer["open_violations"] == 1  # the authorities' published records are public
    for path in ("reports", "assessments"):
        assert api.get(f"/api/v1/suppliers/{both.credit_code}/{path}", headers=chain.headers).json["items"] == []


def test_a_tier_2_supplier_is_in_the_chain_with_its_tier(app, make, chain):
    tier2 = make.org("supplier", name_zh="二级企业")
    link(chain.buyer, tier2, tier=2, parent=chain.suppliers[0])
    api = app.test_client()
    assert api.get(f"/api/v1/suppliers/{tier2.credit_code}", headers=chain.headers).json["tier"] == 2
    items = {s["name"]: s["tier"] for s in api.get("/api/v1/suppliers", headers=chain.headers).json["items"]}
    assert items["二级企业"] == 2


def test_a_share_withdrawn_after_a_first_read_is_gone_on_the_next(app, chain):
    shared = chain.suppliers[0]
    api = app.test_client()
    path = f"/api/v1/suppliers/{shared.credit_code}"
    first = api.get(path, headers=chain.headers).json
    assert first["latest_assessment"] is not None and first["progress"] is not None
    assert api.get(f"{path}/reports", headers=chain.headers).json["items"]
    db.session.execute(delete(AssessmentShare).where(AssessmentShare.buyer_organisation_id == chain.buyer.id))
    db.session.execute(delete(ReportShare).where(ReportShare.buyer_organisation_id == chain.buyer.id))
    consent = db.session.scalars(db.select(ChainConsent).where(
        ChainConsent.supplier_organisation_id == shared.id)).one()
    consent.share_progress = False
    db.session.commit()
    again = api.get(path, headers=chain.headers).json
    assert again["latest_assessment"] is None and again["progress"] is None
    for suffix in ("/reports", "/assessments"):
        assert api.get(f"{path}{suffix}", headers=chain.headers).json["items"] == []


def test_progress_is_the_latest_plan_and_application_that_is_no_draft(app, make, benchmark, chain):
    shared = chain.suppliers[0]
    plan = db.session.scalars(db.select(UpgradePlan).where(UpgradePlan.organisation_id == shared.id,
                                                           UpgradePlan.status == "in_progress")).one()
    db.session.add(FundingApplication(organisation_id=shared.id, programme=_programme(), plan=plan,
                                      project_type="upgrade", status="draft"))
    db.session.commit()
    answer = app.test_client().get(f"/api/v1/suppliers/{shared.credit_code}", headers=chain.headers).json
    assert answer["progress"] == {"plan_status": "in_progress", "funding_status": None}


def _programme():
    from datetime import date
    from decimal import Decimal

    from portal.funding.models import FundingProgramme

    programme = FundingProgramme(name="试点", budget=Decimal(1000), opens_on=date(2026, 1, 1),
                                 closes_on=date(2026, 12, 31), notice_days=5)
    db.session.add(programme)
    return programme


def test_addresses_come_from_the_portals_url_not_the_host_header(app, chain, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://gsc.example.cn")
    api = app.test_client()
    evil = {"Host": "evil.example"}
    assert api.get("/api/openapi.json", headers=evil).json["servers"] == [{"url": "https://gsc.example.cn/api"}]
    links = api.get("/api/v1/suppliers?per_page=1", headers={**chain.headers, **evil}).json["links"]
    assert links["next"].startswith("https://gsc.example.cn/api/v1/suppliers?")
    assert all(value is None or value.startswith("https://gsc.example.cn/") for value in links.values())


def test_errors_are_not_cached(app, chain):
    api = app.test_client()
    for response in (api.get("/api/v1/suppliers"), api.post("/api/v1/suppliers", headers=chain.headers),
                     api.get("/api/v1/suppliers?page=0", headers=chain.headers)):
        assert response.status_code in (400, 401, 405) and response.headers["Cache-Control"] == "no-store"
