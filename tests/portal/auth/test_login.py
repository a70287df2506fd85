import re

from tests.conftest import PASSWORD, login


def test_sign_in_lands_on_dashboard_and_sign_out_ends_session(client, make):
    user = make.user(make.org())
    response = login(client, user)
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_keeps_email_and_says_why(client, make):
    user = make.user(make.org())
    response = client.post("/login", data={"email": user.email, "password": "wrong-password"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert f'value="{user.email}"' in html
    assert "field-error" in html


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, make):
    user = make.user(make.org())
    wrong_password = client.post("/login", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "nope-nope-nope"})
    error = re.compile(r'class="field-error">([^<]+)<')
    assert error.findall(wrong_password.get_data(as_text=True)) == error.findall(unknown.get_data(as_text=True))


def test_deactivated_account_cannot_sign_in(client, make):
    user = make.user(make.org(), active=False)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401


def test_login_redirects_back_to_the_page_asked_for_but_never_off_site(client, make):
    user = make.user(make.org())
    response = client.get("/organisations/1")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    ok = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/organisations/1"})
    assert ok.headers["Location"] == "/organisations/1"
    client.post("/logout")
    evil = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "//evil.example/x"})
    assert evil.headers["Location"] == "/dashboard"


def test_failed_logins_are_limited_per_account_even_across_addresses(client, make):
    user = make.user(make.org())
    for n in range(5):
        response = client.post("/login", data={"email": user.email, "password": "bad-password-x"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        assert response.status_code == 401
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert f'value="{user.email}"' in html  # what the user typed stays in the form


def test_failed_logins_are_limited_per_address_across_accounts(client, make):
    org = make.org()
    users = [make.user(org) for _ in range(5)]
    for user in users * 4:
        assert client.post("/login", data={"email": user.email, "password": "bad-password-x"}).status_code == 401
    other = make.user(org)
    assert client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, make):
    user = make.user(make.org())
    for _ in range(7):
        login(client, user)
        client.post("/logout")


def test_remember_me_sets_a_long_lived_http_only_cookie(client, make):
    user = make.user(make.org())
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    session = [c for c in cookies if c.startswith("session=")]
    assert session and "HttpOnly" in session[0]


def test_login_is_audited(client, make, app):
    from portal.audit.models import AuditEvent
    from portal.extensions import db

    user = make.user(make.org())
    client.post("/login", data={"email": user.email, "password": "bad-password-x"})
    login(client, user)
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["auth.login_failed", "auth.login"]
