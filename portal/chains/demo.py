"""The demo chain: the buyer's tier-1 supplier (accepted), that supplier's own supplier as tier 2 (accepted), and
a second supplier invited by the buyer that has not answered yet. Rows are made directly (no e-mail)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.tokens import new_token
from portal.chains import consent
from portal.chains.invitations import INVITATION_DAYS
from portal.chains.links import link_of
from portal.chains.models import ChainInvitation, ChainLink
from portal.database import utcnow
from portal.extensions import db
from portal.orgs.models import MemberRole, Organisation


def _invitation(buyer: Organisation, inviting: Organisation, invitee: Organisation, tier: int, status: str):
    existing = db.session.scalars(select(ChainInvitation).where(
        ChainInvitation.buyer_organisation_id == buyer.id, ChainInvitation.credit_code == invitee.credit_code)).first()
    if existing is not None:
        return existing, False
    invitation = ChainInvitation(buyer_organisation_id=buyer.id, inviting_organisation_id=inviting.id, tier=tier,
                                 credit_code=invitee.credit_code, email=invitee.contact_email or "demo@demo.local",
                                 invitee_organisation_id=invitee.id, token_hash=new_token()[1], status=status,
                                 expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
                                 decided_at=utcnow() if status == "accepted" else None)
    db.session.add(invitation)
    db.session.flush()
    return invitation, True


def _join(buyer: Organisation, inviting: Organisation, supplier: Organisation, tier: int) -> int:
    invitation, created = _invitation(buyer, inviting, supplier, tier, "accepted")
    if link_of(buyer.id, supplier.id) is not None:
        return int(created)
    db.session.add(ChainLink(buyer_organisation_id=buyer.id, supplier_organisation_id=supplier.id, tier=tier,
                             parent_supplier_id=inviting.id if tier == 2 else None, invitation_id=invitation.id))
    db.session.flush()
    admin = db.session.scalars(select(User).where(User.organisation_id == supplier.id,
                                                  User.role == MemberRole.ADMIN)).first()
    consent.apply_defaults(supplier, buyer, actor=admin)
    return int(created) + 1


def load_demo_chains(orgs: dict[str, Organisation]) -> int:
    buyer, supplier, tier2, supplier2 = (orgs[key] for key in ("buyer", "supplier", "tier2", "supplier2"))
    created = _join(buyer, buyer, supplier, 1) + _join(buyer, supplier, tier2, 2)
    return created + int(_invitation(buyer, buyer, supplier2, 1, "invited")[1])
