"""Inviting suppliers one at a time: validation, new and existing companies, tier 2, reminders."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from portal.chains.links import tier_of
from portal.chains.models import ChainInvitation, ChainLink
from portal.database import utcnow
from portal.extensions import db
from tests.conftest import PASSWORD, credit_code, login
from tests.portal.chains.helpers import link


def _invite(client, code, email, **extra):
    return client.post("/supply-chain/invitations", data={"credit_code": code, "email": email, **extra})


def _link_in(mail_body):
    """The path of the join link in an invitation e-mail (always on PORTAL_BASE_URL)."""
    link = re.search(r"https?://[^\s]+/supply-chain/join/[\w-]+", mail_body).group(0)
    return urlsplit(link).path


def test_buyer_invites_a_new_company_which_registers_from_the_mail_and_joins_as_tier_1(client, make, outbox):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    code = credit_code()
    response = _invite(client, code, "boss@newco.example")
    assert response.status_code == 302
    to, _subject, body = outbox()[-1]
    assert to == "boss@newco.example"
    client.post("/logout")
    join = _link_in(body)
    page = client.get(join)
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    response = client.post(join, data={"credit_code": "91440300MA5G00000X", "name_zh": "新公司",
                                       "person_name": "王五", "email": "boss@newco.example",
                                       "password": "a-long-password-1"})
    assert response.status_code == 302
    link_row = db.session.scalars(db.select(ChainLink)).one()
    assert link_row.buyer_organisation_id == buyer.id and link_row.tier == 1
    assert link_row.supplier.credit_code == code  # the invitation's code, whatever was posted
    assert db.session.scalars(db.select(ChainInvitation)).one().status == "accepted"
    assert client.get(join).status_code == 410  # used once


def test_invalid_code_and_email_are_refused_beside_the_fields(client, make):
    login(client, make.user(make.org("buyer")))
    response = _invite(client, "91440300MA5G00000", "not-an-email")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "18" in text and 'aria-invalid="true"' in text
    assert db.session.scalar(db.select(db.func.count()).select_from(ChainInvitation)) == 0


def test_existing_company_is_asked_to_accept_not_linked_at_once(client, make, outbox):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    supplier_admin = make.user(supplier)
    login(client, make.user(buyer))
    assert _invite(client, supplier.credit_code, "x@example.com").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ChainLink)) == 0
    assert outbox()[-1][0] == supplier_admin.email
    client.post("/logout")
    login(client, supplier_admin)
    page = client.get("/supply-chain").get_data(as_text=True)
    invitation = db.session.scalars(db.select(ChainInvitation)).one()
    assert f"/supply-chain/received/{invitation.id}/accept" in page
    assert client.post(f"/supply-chain/received/{invitation.id}/accept").status_code == 302
    assert tier_of(buyer.id, supplier.id) == 1


def test_same_code_twice_is_already_invited_and_a_linked_one_already_in_the_chain(client, make):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    link(buyer, supplier)
    login(client, make.user(buyer))
    code = credit_code()
    assert _invite(client, code, "a@example.com").status_code == 302
    again = _invite(client, code, "b@example.com")
    assert again.status_code == 422 and "已邀请过：请在该邀请上使用“提醒”" in again.get_data(as_text=True)
    linked = _invite(client, supplier.credit_code, "c@example.com")
    assert linked.status_code == 422


def test_tier_1_supplier_invites_tier_2_and_a_tier_2_cannot_invite(client, make):
    buyer, tier1, tier2 = make.org("buyer"), make.org("supplier"), make.org("supplier")
    link(buyer, tier1)
    tier1_admin, tier2_admin = make.user(tier1), make.user(tier2)
    login(client, tier1_admin)
    assert _invite(client, tier2.credit_code, "t2@example.com", buyer_id=buyer.id).status_code == 302
    invitation = db.session.scalars(db.select(ChainInvitation)).one()
    assert invitation.tier == 2 and invitation.buyer_organisation_id == buyer.id
    client.post("/logout")
    login(client, tier2_admin)
    assert client.post(f"/supply-chain/received/{invitation.id}/accept").status_code == 302
    row = db.session.scalars(db.select(ChainLink).where(ChainLink.supplier_organisation_id == tier2.id)).one()
    assert (row.tier, row.parent_supplier_id) == (2, tier1.id)
    # Tier 2 may not invite a tier 3: no chain to invite into.
    assert _invite(client, credit_code(), "t3@example.com", buyer_id=buyer.id).status_code == 403
    client.post("/logout")
    login(client, tier1_admin)
    tree = client.get("/supply-chain").get_data(as_text=True)
    assert tier2.name_zh in tree and tier1.name_zh in tree


def test_reminder_once_a_day(client, make, outbox):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    _invite(client, credit_code(), "r@example.com")
    invitation = db.session.scalars(db.select(ChainInvitation)).one()
    sent = len(outbox())
    remind = f"/supply-chain/invitations/{invitation.id}/remind"
    page = client.get("/supply-chain").get_data(as_text=True)
    assert remind not in page and "可再次提醒" in page  # no button that can only refuse; when it can, instead
    assert client.post(remind).status_code == 302
    assert len(outbox()) == sent  # too soon: sent less than a day ago
    invitation.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert remind in client.get("/supply-chain").get_data(as_text=True)
    client.post(f"/supply-chain/invitations/{invitation.id}/remind")
    assert len(outbox()) == sent + 1
    db.session.refresh(invitation)
    assert invitation.reminders == 1
    client.post(f"/supply-chain/invitations/{invitation.id}/remind")
    assert len(outbox()) == sent + 1


def test_another_buyer_cannot_see_remind_or_accept_invitations(client, make):
    buyer_a, buyer_b, supplier = make.org("buyer"), make.org("buyer"), make.org("supplier")
    login(client, make.user(buyer_a))
    _invite(client, supplier.credit_code, "s@example.com")
    assert supplier.credit_code in client.get("/supply-chain").get_data(as_text=True)
    invitation = db.session.scalars(db.select(ChainInvitation)).one()
    client.post("/logout")
    login(client, make.user(buyer_b))
    assert supplier.credit_code not in client.get("/supply-chain").get_data(as_text=True)
    assert client.post(f"/supply-chain/invitations/{invitation.id}/remind").status_code == 404
    assert client.post(f"/supply-chain/invitations/{invitation.id}/revoke").status_code == 404
    other_supplier = make.user(make.org("supplier"))
    client.post("/logout")
    login(client, other_supplier, PASSWORD)
    assert client.post(f"/supply-chain/received/{invitation.id}/accept").status_code == 404


def test_expired_or_withdrawn_link_is_gone_and_a_declined_invitation_links_nothing(client, make, outbox):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    login(client, make.user(buyer))
    _invite(client, credit_code(), "late@example.com")
    join = _link_in(outbox()[-1][2])
    expired = db.session.scalars(db.select(ChainInvitation)).one()
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _invite(client, supplier.credit_code, "s@example.com")
    client.post("/logout")
    assert client.get(join).status_code == 410
    login(client, make.user(supplier))
    asked = db.session.scalars(db.select(ChainInvitation).where(
        ChainInvitation.credit_code == supplier.credit_code)).one()
    assert client.post(f"/supply-chain/received/{asked.id}/decline").status_code == 302
    assert client.post(f"/supply-chain/received/{asked.id}/accept").status_code == 302  # answered already
    assert tier_of(buyer.id, supplier.id) is None


def test_supplier_staff_cannot_accept(client, make):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    login(client, make.user(buyer))
    _invite(client, supplier.credit_code, "s@example.com")
    invitation = db.session.scalars(db.select(ChainInvitation)).one()
    client.post("/logout")
    login(client, make.user(supplier, role="staff"))
    assert client.post(f"/supply-chain/received/{invitation.id}/accept").status_code == 403
    assert tier_of(buyer.id, supplier.id) is None
