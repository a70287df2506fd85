"""The buyers' API: tokens (created once, stored hashed, revocable, audited), 401 without a valid one whatever
the session says, pagination, consent (only what a supplier shared, only the buyer's own chain), JSON errors and
a constant number of queries per page."""

import hashlib

from sqlalchemy import select

from portal.api.models import ApiToken
from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import login
from tests.portal.api.conftest import add_shared_supplier, link, new_token


def test_a_buyer_admin_creates_a_token_shown_once_and_stored_hashed(app, make):
    buyer = make.org("buyer")
    admin = make.user(buyer)
    client = app.test_client()
    login(client, admin)
    assert client.get("/api/tokens").status_code == 200
    created = client.post("/api/tokens", data={"name": "采购系统"})
    assert created.status_code == 303 and created.headers["Location"].endswith("/api/tokens")
    response = client.get("/api/tokens")  # shown once, after the redirect: reloading creates nothing
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = db.session.scalars(select(ApiToken)).one()
    secret = page.split('id="new-token" class="mono" type="text" value="')[1].split('"')[0]
    assert secret.startswith(token.prefix) and token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.prefix and secret not in client.get("/api/tokens").get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "api_token.created")).one()
    assert len(db.session.scalars(select(ApiToken)).all()) == 1
    _assert_stored_nowhere(secret)

    api = app.test_client()
    answer = api.get("/api/v1/suppliers", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and answer.json["total"] == 0
    assert "Set-Cookie" not in answer.headers
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None

    assert client.post(f"/api/tokens/{token.id}/revoke").status_code == 302
    revoked = api.get("/api/v1/suppliers", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401 and revoked.json["error"] == "invalid_token"
    assert revoked.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "api_token.revoked")).one()


def _assert_stored_nowhere(secret):
    """No column of any table holds the secret (nor its random part), the audit trail's summaries included."""
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            assert not any(secret[len("gsc_"):] in str(value) for value in row), table.name


def test_an_empty_name_keeps_the_form_and_says_why(app, make):
    client = app.test_client()
    login(client, make.user(make.org("buyer")))
    response = client.post("/api/tokens", data={"name": "  "})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken)).first() is None


def test_a_name_with_control_characters_is_refused_beside_the_field_and_spaces_are_trimmed(app, make):
    client = app.test_client()
    login(client, make.user(make.org("buyer")))
    for name in ("ERP\tsystem", "ERP\x00", "ERP\x1b[31m", "ERP\u0085系统", "ERP\u2028系统", "ERP\u202etxt.exe"):
        response = client.post("/api/tokens", data={"name": name})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="name-error"' in page, repr(name)
        assert "control characters" in page or "控制字符" in page
    assert db.session.scalars(select(ApiToken)).first() is None
    assert client.post("/api/tokens", data={"name": "  采购系统 \n"}).status_code == 303
    assert db.session.scalars(select(ApiToken)).one().name == "采购系统"


def test_only_buyer_admins_manage_tokens_and_only_their_own(app, make):
    other_buyer = make.org("buyer")
    foreign, _secret = new_token(other_buyer, make.user(other_buyer))
    buyer = make.org("buyer")
    for user, status in ((make.user(buyer, role="staff"), 403), (make.user(make.org("supplier")), 403)):
        client = app.test_client()
        login(client, user)
        assert client.get("/api/tokens").status_code == status
    client = app.test_client()
    login(client, make.user(buyer))
    assert client.post(f"/api/tokens/{foreign.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, foreign.id).revoked_at is None


def test_missing_unknown_or_malformed_tokens_and_sessions_get_401(app, make, chain):
    client = app.test_client()
    login(client, chain.admin)  # a signed-in session is not a token
    for headers in ({}, {"Authorization": "Bearer gsc_nothing"}, {"Authorization": f"Basic {chain.secret}"},
                    {"Authorization": "Bearer"}):
        response = client.get("/api/v1/suppliers", headers=headers)
        assert response.status_code == 401, headers
        assert response.is_json and "WWW-Authenticate" in response.headers
    wrong_method = client.post("/api/v1/suppliers", headers={"Authorization": f"Bearer {chain.secret}"})
    assert wrong_method.status_code == 405 and wrong_method.is_json and "GET" in wrong_method.headers["Allow"]
    assert app.test_client().get("/api/openapi.json").status_code == 200  # the document is public
    assert app.test_client().get("/api").status_code == 200


def test_pages_of_suppliers_with_total_and_links(app, make, chain):
    for n in range(23):
        link(chain.buyer, make.org("supplier", name_zh=f"企业{n:02d}"))
    api = app.test_client()
    first = api.get("/api/v1/suppliers?per_page=10", headers=chain.headers).json
    assert first["total"] == 25 and first["pages"] == 3 and len(first["items"]) == 10
    assert first["links"]["prev"] is None and "page=2" in first["links"]["next"]
    last = api.get("/api/v1/suppliers?per_page=10&page=3", headers=chain.headers).json
    assert len(last["items"]) == 5 and last["links"]["next"] is None
    seen = {s["credit_code"] for p in (1, 2, 3)
            for s in api.get(f"/api/v1/suppliers?per_page=10&page={p}", headers=chain.headers).json["items"]}
    assert len(seen) == 25
    assert api.get("/api/v1/suppliers?page=9", headers=chain.headers).json["items"] == []
    for bad in ("per_page=101", "per_page=0", "page=0", "page=x", "page=-1"):
        response = api.get(f"/api/v1/suppliers?{bad}", headers=chain.headers)
        assert response.status_code == 400 and response.json["error"] == "invalid_parameter", bad


def test_only_what_each_supplier_shared_with_this_buyer(app, make, benchmark, chain):
    shared, private = chain.suppliers
    api = app.test_client()
    items = {s["name"]: s for s in api.get("/api/v1/suppliers", headers=chain.headers).json["items"]}
    assert items["共享企业"]["latest_assessment"] == {"year": 2025, "benchmark": benchmark.key, "self_score": 72.5,
                                                   "self_grade": "B", "verified_score": 68.0, "verified_grade": "C"}
    # The latest plan that is not a draft (the supplier's later draft is its own business).
    assert items["共享企业"]["progress"] == {"plan_status": "in_progress", "funding_status": None}
    assert items["共享企业"]["credit_rating"] == {"year": 2025, "level": "yellow", "score": 65.0}
    assert items["共享企业"]["open_violations"] == 1
    # Not shared: no grade, no progress; the authorities' published records are still there.
    assert items["保密企业"]["latest_assessment"] is None and items["保密企业"]["progress"] is None
    assert items["保密企业"]["open_violations"] == 1

    reports = api.get(f"/api/v1/suppliers/{shared.credit_code}/reports", headers=chain.headers).json["items"]
    assert [(r["year"], r["site"]) for r in reports] == [(2025, "一厂")]  # 2024 was not shared
    electricity = reports[0]["figures"]["electricity"]
    assert electricity["unit"] == "MWh" and electricity["value"] > 0
    assert {"scope1_tco2", "scope2_tco2", "total_tco2", "factors_unconfirmed"} <= set(reports[0]["ghg"])
    assessments = api.get(f"/api/v1/suppliers/{shared.credit_code}/assessments", headers=chain.headers).json
    assert [(a["year"], a["self_grade"], a["verified_grade"]) for a in assessments["items"]] == [(2025, "B", "C")]
    for path in ("reports", "assessments"):
        assert api.get(f"/api/v1/suppliers/{private.credit_code}/{path}",
                       headers=chain.headers).json["items"] == []


def test_another_buyers_suppliers_are_not_found(app, make, benchmark, chain):
    other_buyer = make.org("buyer")
    theirs = add_shared_supplier(make, benchmark, other_buyer, name="别家企业")
    stranger = make.org("supplier")
    api = app.test_client()
    for code in (theirs.credit_code, stranger.credit_code, "NOTACODE"):
        for suffix in ("", "/reports", "/assessments"):
            response = api.get(f"/api/v1/suppliers/{code}{suffix}", headers=chain.headers)
            assert response.status_code == 404 and response.json["error"] == "not_found", (code, suffix)
    names = {s["name"] for s in api.get("/api/v1/suppliers", headers=chain.headers).json["items"]}
    assert names == {"共享企业", "保密企业"}
    assert api.get(f"/api/v1/suppliers/{chain.suppliers[0].credit_code}", headers=chain.headers).json["tier"] == 1


def test_each_token_is_rate_limited_with_a_json_answer(app, chain, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    api = app.test_client()
    statuses = [api.get("/api/v1/suppliers", headers=chain.headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/v1/suppliers", headers=chain.headers)
    assert limited.is_json and limited.json["error"] == "too_many_requests"


def test_a_page_of_suppliers_takes_the_same_number_of_queries_however_long(app, make, benchmark, chain, queries_of):
    api = app.test_client()
    api.get("/api/v1/suppliers", headers=chain.headers)  # records the token's use (written once a minute)
    response, few = queries_of(api, "/api/v1/suppliers", headers=chain.headers)
    assert response.status_code == 200 and len(response.json["items"]) == 2
    for n in range(6):
        add_shared_supplier(make, benchmark, chain.buyer, name=f"企业{n}", share=n % 2 == 0, progress=n % 3 == 0)
    response, many = queries_of(api, "/api/v1/suppliers", headers=chain.headers)
    assert response.status_code == 200 and len(response.json["items"]) == 8
    assert few == many
