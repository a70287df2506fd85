"""Answering invitations: twice at once, declining, withdrawn invitations, renewed expired ones, e-mail links."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from portal.auth.tokens import new_token
from portal.chains import invitations
from portal.chains.models import ChainInvitation, ChainLink
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orgs import services as orgs_services
from tests.conftest import credit_code, login
from tests.portal.chains.helpers import link
from tests.portal.chains.test_invitations import _invite, _link_in


def _only_invitation():
    return db.session.scalars(db.select(ChainInvitation)).one()


def _invited(client, make, supplier):
    buyer = make.org("buyer")
    buyer_admin = make.user(buyer)
    login(client, buyer_admin)
    assert _invite(client, supplier.credit_code, "s@example.com").status_code == 302
    client.post("/logout")
    return buyer, buyer_admin, _only_invitation()


def test_a_second_accept_answered_at_the_same_moment_is_refused_not_a_server_error(app, make):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    admin, buyer_admin = make.user(supplier), make.user(buyer)
    with app.test_request_context():
        invitations.invite(buyer, buyer, supplier.credit_code, "s@example.com", actor=buyer_admin)
        db.session.commit()
        invitation = _only_invitation()
        # Another request accepted it meanwhile: the row changed underneath the one this request loaded.
        db.session.execute(db.update(ChainInvitation).where(ChainInvitation.id == invitation.id).values(
            status="accepted", version_id=ChainInvitation.version_id + 1),
            execution_options={"synchronize_session": False})
        db.session.add(ChainLink(buyer_organisation_id=buyer.id, supplier_organisation_id=supplier.id, tier=1))
        db.session.flush()
        with pytest.raises(ServiceError) as refused:
            invitations.accept(invitation, supplier, actor=admin)
        assert refused.value.code == "conflict"
        db.session.rollback()


def test_accept_that_hits_the_unique_link_says_already_answered(client, make, monkeypatch):
    supplier = make.org("supplier")
    admin = make.user(supplier)
    buyer, _buyer_admin, invitation = _invited(client, make, supplier)
    link(buyer, supplier)  # joined by a request that committed first
    monkeypatch.setattr(invitations, "link_of", lambda *_args: None)  # this request did not see it yet
    login(client, admin)
    response = client.post(f"/supply-chain/received/{invitation.id}/accept", follow_redirects=True)
    assert response.status_code == 200
    assert "已答复" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ChainLink)) == 1


def test_two_registrations_from_the_same_link_at_once_get_a_message_not_a_server_error(client, make, outbox,
                                                                                         monkeypatch):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    code = credit_code()
    _invite(client, code, "boss@newco.example")
    join = _link_in(outbox()[-1][2])
    client.post("/logout")
    make.org("supplier", credit_code=code)  # the other request registered the company first
    monkeypatch.setattr(orgs_services, "organisation_by_code", lambda _code: None)  # not seen by this one
    response = client.post(join, data={"name_zh": "新公司", "person_name": "王五", "email": "boss@newco.example",
                                       "password": "a-long-password-1"})
    assert response.status_code == 422
    assert "at the same moment" in response.get_data(as_text=True) or "同时" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ChainLink)) == 0
    assert _only_invitation().status == "invited"


def test_an_expired_invitation_is_renewed_not_doubled_and_two_open_ones_cannot_exist(client, make, outbox):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    code = credit_code()
    _invite(client, code, "old@example.com")
    old = _only_invitation()
    old.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert _invite(client, code, "new@example.com").status_code == 302
    renewed = _only_invitation()
    assert (renewed.id, renewed.email, renewed.status) == (old.id, "new@example.com", "invited")
    assert renewed.expires_at > utcnow()
    assert client.get(_link_in(outbox()[-1][2])).status_code == 200
    db.session.add(ChainInvitation(buyer_organisation_id=buyer.id, inviting_organisation_id=buyer.id, tier=1,
                                   credit_code=code, email="x@example.com", token_hash=new_token()[1],
                                   expires_at=utcnow() + timedelta(days=1)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_decline_is_stored_as_declined_and_tells_the_inviting_admins(client, make):
    supplier = make.org("supplier")
    admin = make.user(supplier)
    _buyer, buyer_admin, invitation = _invited(client, make, supplier)
    login(client, admin)
    assert 'id="not-in-a-chain"' not in client.get("/supply-chain").get_data(as_text=True)  # it is invited
    assert client.post(f"/supply-chain/received/{invitation.id}/decline").status_code == 302
    db.session.refresh(invitation)
    assert invitation.status == "declined"
    assert 'id="not-in-a-chain"' in client.get("/supply-chain").get_data(as_text=True)  # not an empty page
    told = db.session.scalars(db.select(Notification).where(Notification.user_id == buyer_admin.id,
                                                            Notification.kind == "chain.declined")).all()
    assert len(told) == 1
    client.post("/logout")
    login(client, buyer_admin)
    assert "已谢绝" in client.get("/supply-chain").get_data(as_text=True)


def test_an_expired_invitation_cannot_be_declined(client, make):
    supplier = make.org("supplier")
    admin = make.user(supplier)
    _buyer, _buyer_admin, invitation = _invited(client, make, supplier)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, admin)
    client.post(f"/supply-chain/received/{invitation.id}/decline")
    db.session.refresh(invitation)
    assert invitation.status == "invited"
    assert invitations.shown_status(invitation) == "expired"


def test_a_withdrawn_invitation_says_so_to_the_invitee(client, make, outbox):
    supplier = make.org("supplier")
    admin = make.user(supplier)
    buyer, buyer_admin, invitation = _invited(client, make, supplier)
    login(client, buyer_admin)
    _invite(client, credit_code(), "new@example.com")
    join = _link_in(outbox()[-1][2])
    new_one = db.session.scalars(db.select(ChainInvitation).where(ChainInvitation.id != invitation.id)).one()
    client.post(f"/supply-chain/invitations/{invitation.id}/revoke")
    client.post(f"/supply-chain/invitations/{new_one.id}/revoke")
    client.post("/logout")
    gone = client.get(join)
    assert gone.status_code == 410 and buyer.name_zh in gone.get_data(as_text=True)
    assert "/password/forgot" not in gone.get_data(as_text=True)  # an invitation is not a password reset
    login(client, admin)
    page = client.get("/supply-chain").get_data(as_text=True)
    assert f'id="invitation-{invitation.id}"' in page and buyer.name_zh in page
    assert f"/supply-chain/received/{invitation.id}/accept" not in page


def test_invitation_and_reset_links_use_the_configured_address_not_the_forwarded_host(app, client, make, outbox,
                                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://portal.example.cn")
    forged = {"X-Forwarded-Host": "evil.example"}
    user = make.user(make.org("buyer"))
    login(client, user)
    sent = client.post("/supply-chain/invitations", data={"credit_code": credit_code(), "email": "n@example.com"},
                       headers=forged)
    assert sent.status_code == 302
    invitation_mail = outbox()[-1][2]
    assert "https://portal.example.cn/supply-chain/join/" in invitation_mail and "evil" not in invitation_mail
    client.post("/logout")
    asked = client.post("/password/forgot", data={"email": user.email}, headers={**forged, "Host": "evil.example"})
    assert asked.status_code == 302
    reset_mail = outbox()[-1][2]
    assert "https://portal.example.cn/password/reset/" in reset_mail and "evil" not in reset_mail


def test_a_tier_1_supplier_learns_only_that_the_company_was_invited_not_by_whom(client, make):
    buyer, tier1 = make.org("buyer"), make.org("supplier")
    link(buyer, tier1)
    code = credit_code()
    login(client, make.user(buyer))
    _invite(client, code, "a@example.com")
    client.post("/logout")
    login(client, make.user(tier1))
    answer = _invite(client, code, "b@example.com", buyer_id=buyer.id)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "remind" not in text and ("Already invited in this chain" in text or "已被邀请加入此供应链" in text)


def test_invitations_are_limited_per_organisation(client, app, make):
    buyer = make.org("buyer")
    first, second = make.user(buyer), make.user(buyer)
    login(client, first)
    for _ in range(60):
        assert _invite(client, "bad", "bad").status_code == 422
    client.post("/logout")
    other = app.test_client()
    login(other, second)
    assert _invite(other, "bad", "bad").status_code == 429  # the same organisation, another person


def test_sent_invitations_are_paged(client, make):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    for number in range(55):
        db.session.add(ChainInvitation(buyer_organisation_id=buyer.id, inviting_organisation_id=buyer.id, tier=1,
                                       credit_code=f"CODE{number:014d}", email="x@example.com",
                                       token_hash=new_token()[1], expires_at=utcnow() + timedelta(days=1),
                                       created_at=utcnow() - timedelta(minutes=number)))
    db.session.commit()
    first = client.get("/supply-chain").get_data(as_text=True)
    assert "CODE00000000000000" in first and "CODE00000000000054" not in first
    assert "CODE00000000000054" in client.get("/supply-chain?page=2").get_data(as_text=True)


def test_accepting_says_the_chain_is_shown_on_the_public_profile(client, make):
    supplier = make.org("supplier")
    admin = make.user(supplier)
    _invited(client, make, supplier)
    login(client, admin)
    page = client.get("/supply-chain").get_data(as_text=True)
    assert "公开供应商档案会列出您公司所在供应链的采购商" in page



def test_the_same_company_invited_twice_at_the_same_moment_gets_a_message(client, make, monkeypatch):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    code = credit_code()
    _invite(client, code, "a@example.com")
    monkeypatch.setattr(invitations, "known_for", lambda *_args: invitations.Known())  # not seen by this one
    again = _invite(client, code, "b@example.com")
    assert again.status_code == 422 and "已被邀请加入此供应链" in again.get_data(as_text=True)
    assert _only_invitation().email == "a@example.com"
