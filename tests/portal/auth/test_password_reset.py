import re
from datetime import timedelta
from urllib.parse import urlsplit

from portal.auth.models import PasswordResetToken
from portal.database import utcnow
from portal.extensions import db
from tests.conftest import PASSWORD, login


def _reset_link(outbox):
    """(recipient, path of the reset link): the link is on PORTAL_BASE_URL, whatever host the request named."""
    (to, _subject, body), = outbox()
    return to, urlsplit(re.search(r"https?://[^\s]+/password/reset/[\w-]+", body).group(0)).path


def test_reset_link_sets_a_new_password_once(client, make, outbox):
    user = make.user(make.org())
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    to, link = _reset_link(outbox)
    assert to == user.email
    path = link
    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": "A-new-password-1", "confirm": "A-new-password-1"})
    assert done.status_code == 302
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    login(client, user, "A-new-password-1")
    client.post("/logout")
    assert client.get(path).status_code == 410  # single use


def test_unknown_email_gets_the_same_answer_and_no_mail(client, outbox):
    response = client.post("/password/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert response.status_code == 200
    assert outbox() == []


def test_expired_link_is_refused(client, make, outbox, app):
    user = make.user(make.org())
    client.post("/password/forgot", data={"email": user.email})
    _, link = _reset_link(outbox)
    token = db.session.scalars(db.select(PasswordResetToken)).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(link)
    assert expired.status_code == 410 and "/password/forgot" in expired.get_data(as_text=True)  # ask again


def test_mismatched_passwords_keep_the_form(client, make, outbox):
    user = make.user(make.org())
    client.post("/password/forgot", data={"email": user.email})
    _, link = _reset_link(outbox)
    response = client.post(link, data={"password": "A-new-password-1", "confirm": "other"})
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)


def test_resetting_the_password_signs_out_other_sessions(app, make, outbox):
    user = make.user(make.org())
    other_device = app.test_client()
    login(other_device, user)
    client = app.test_client()
    client.post("/password/forgot", data={"email": user.email})
    _, link = _reset_link(outbox)
    client.post(link, data={"password": "A-new-password-1", "confirm": "A-new-password-1"})
    assert other_device.get("/dashboard").status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(make):
    user = make.user(make.org())
    assert user.password_hash.startswith("$argon2id$")


def test_a_forged_host_does_not_change_the_reset_link(app, client, make, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://portal.example.cn")
    user = make.user(make.org())
    client.post("/password/forgot", data={"email": user.email},
                headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    (_to, _subject, body), = outbox()
    assert "https://portal.example.cn/password/reset/" in body and "evil" not in body
