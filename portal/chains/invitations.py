"""Bringing companies into a chain: a buyer invites its tier-1 suppliers, a tier-1 supplier its own suppliers
as tier 2 of the same chain. A company already on the platform is asked to accept in the portal (one click:
nobody is put into a chain without its consent); a new company gets an e-mail link to register."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import record_event
from portal.auth.models import User
from portal.auth.tokens import new_token, token_hash
from portal.chains import consent
from portal.chains.links import link_of, tier1_links_of
from portal.chains.models import ChainInvitation, ChainLink
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.forms import EMAIL
from portal.locking import flush_or_conflict
from portal.mail import queue_mail
from portal.notifications import notify
from portal.notifications.services import full_url
from portal.orgs.credit_code import find_problem, normalise
from portal.orgs.forms import credit_code_message
from portal.orgs.membership import active_admins
from portal.orgs.models import Organisation, OrgKind

INVITATION_DAYS = 30
REMIND_AFTER = timedelta(days=1)
ANSWERED = _l("This invitation has expired, was withdrawn or has already been answered.")

# What happens to one invitation row (single or from a file); the keys are shown by OUTCOMES' labels.
OUTCOMES = {
    "invited": _l("New company: invited by e-mail with a registration link"),
    "asked": _l("Already on the platform: invited to accept in the portal"),
    "invalid_code": _l("Invalid credit code"),
    "invalid_email": _l("Invalid e-mail address"),
    "duplicate": _l("Duplicate row: this code is already in the file above"),
    "linked": _l("Already in this chain"),
    "pending": _l("Already invited: use “remind” on the invitation"),
    "pending_other": _l("Already invited in this chain"),
    "not_supplier": _l("This code belongs to an organisation that is not a supplier"),
}
VALID = ("invited", "asked")


@dataclass
class RowResult:
    number: int | None
    credit_code: str
    email: str
    outcome: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in VALID

    @property
    def label(self):
        return OUTCOMES[self.outcome]


def chains_to_invite_into(org: Organisation) -> list[Organisation]:
    """The chains (their buyers) this organisation may invite into: a buyer its own, a supplier those where it
    is tier 1. A tier-2 supplier invites no one further: the programme tracks two tiers."""
    if org.kind == OrgKind.BUYER:
        return [org]
    if org.kind == OrgKind.SUPPLIER:
        return [link.buyer for link in tier1_links_of(org.id)]
    return []


def tier_for(inviting: Organisation) -> int:
    return 1 if inviting.kind == OrgKind.BUYER else 2


@dataclass
class Known:
    """What checking rows needs to know about their codes in one chain, read in three queries for a whole file."""

    organisations: dict[str, Organisation] = field(default_factory=dict)  # by credit code
    linked: set[int] = field(default_factory=set)  # ids of the organisations already in the chain
    open: dict[str, ChainInvitation] = field(default_factory=dict)  # open invitations (even expired) by code


def known_for(buyer: Organisation, codes) -> Known:
    codes = sorted({normalise(code or "") for code in codes})
    organisations = {org.credit_code: org for org in db.session.scalars(
        select(Organisation).where(Organisation.credit_code.in_(codes)))}
    linked = set(db.session.scalars(select(ChainLink.supplier_organisation_id).where(
        ChainLink.buyer_organisation_id == buyer.id,
        ChainLink.supplier_organisation_id.in_([org.id for org in organisations.values()]))))
    open_ = {inv.credit_code: inv for inv in db.session.scalars(select(ChainInvitation).where(
        ChainInvitation.buyer_organisation_id == buyer.id, ChainInvitation.credit_code.in_(codes),
        ChainInvitation.status == "invited"))}
    return Known(organisations, linked, open_)


def check_row(inviting: Organisation, buyer: Organisation, code: str, email: str, *, number: int | None = None,
              seen: set[str] | None = None, known: Known | None = None) -> RowResult:
    """What inviting this code and address into the buyer's chain would do; changes nothing."""
    code, email = normalise(code or ""), (email or "").strip().lower()
    known = known if known is not None else known_for(buyer, [code])
    result = RowResult(number, code, email, "invited")
    problem = find_problem(code)
    if problem is not None:
        result.outcome, result.detail = "invalid_code", str(credit_code_message(problem))
        return result
    if seen is not None:
        if code in seen:
            result.outcome = "duplicate"
            return result
        seen.add(code)
    if not EMAIL.regex.match(email) or len(email) > 254:
        result.outcome = "invalid_email"
        return result
    existing = known.organisations.get(code)
    if existing is not None:
        if existing.kind != OrgKind.SUPPLIER:
            result.outcome = "not_supplier"
            return result
        if existing.id in known.linked:
            result.outcome = "linked"
            return result
        result.outcome, result.detail = "asked", existing.name_zh
    pending = known.open.get(code)
    if pending is not None and pending.expires_at >= utcnow():
        # Only the sender may remind; another sender learns no more than that the company was invited.
        result.outcome, result.detail = ("pending", "") if pending.inviting_organisation_id == inviting.id \
            else ("pending_other", "")
    return result


def invite(inviting: Organisation, buyer: Organisation, code: str, email: str, *, actor: User,
           number: int | None = None, seen: set[str] | None = None, known: Known | None = None,
           batch: str | None = None) -> RowResult:
    """Invites one company; a row that cannot be invited is returned with its reason, nothing stored. `batch`: the
    id of the file it is sent from (with `number`, its row there); None from the one-at-a-time form."""
    if buyer not in chains_to_invite_into(inviting):
        raise ServiceError(_l("You can invite suppliers only into your own chain, or as tier 2 of a chain in "
                              "which you are tier 1."), code="not_allowed")
    known = known if known is not None else known_for(buyer, [code])
    result = check_row(inviting, buyer, code, email, number=number, seen=seen, known=known)
    if not result.ok:
        return result
    invitee = known.organisations.get(result.credit_code)
    token, digest = new_token()
    invitation = known.open.get(result.credit_code)  # an expired open invitation is renewed, not doubled
    if invitation is None:
        invitation = ChainInvitation(buyer_organisation_id=buyer.id, credit_code=result.credit_code, status="invited")
        db.session.add(invitation)
    invitation.inviting_organisation_id, invitation.tier = inviting.id, tier_for(inviting)
    invitation.email, invitation.invitee_organisation_id = result.email, invitee.id if invitee else None
    invitation.token_hash, invitation.invited_by_id, invitation.created_at = digest, actor.id, utcnow()
    invitation.expires_at = invitation.created_at + timedelta(days=INVITATION_DAYS)
    # Renewing an expired invitation moves it to the file (or the single form) that sent it last: its link, address
    # and expiry are that sending's, so it leaves the result page of the earlier file.
    invitation.sent_batch, invitation.sent_row = batch, number if batch else None
    invitation.last_reminded_at, invitation.reminders = None, 0
    db.session.flush()
    known.open[result.credit_code] = invitation
    record_event("chain.invited", invitation, actor=actor, organisation_id=inviting.id,
                 summary={"credit_code": result.credit_code, "email": result.email, "tier": invitation.tier,
                          "buyer": buyer.id, "existing_organisation": invitee.id if invitee else None})
    _send(invitation, token, inviting)
    return result


def _send(invitation: ChainInvitation, token: str, inviting: Organisation) -> None:
    if invitation.invitee_organisation_id is not None:
        notify(active_admins(invitation.invitee_organisation_id), "chain.invited", link=url_for("chains.overview"),
               mail_template="chain_invitation",
               inviter=inviting.name_zh, buyer=invitation.buyer.name_zh, tier=invitation.tier,
               register=False, days=INVITATION_DAYS)
        return
    queue_mail(db.session, invitation.email, "chain_invitation", None, inviter=inviting.name_zh,
               buyer=invitation.buyer.name_zh, tier=invitation.tier, register=True, days=INVITATION_DAYS,
               link=full_url(url_for("chains.join", token=token)))


def reminding_from(invitation: ChainInvitation) -> datetime:
    """When the invitation may be sent again: a day after it was sent or last reminded."""
    return (invitation.last_reminded_at or invitation.created_at) + REMIND_AFTER


def remind(invitation: ChainInvitation, *, actor: User) -> None:
    """Sends the invitation again (a new link, valid for another INVITATION_DAYS); at most once a day."""
    if invitation.status != "invited":
        raise ServiceError(_l("Only an open invitation can be reminded."), code="not_open")
    if utcnow() < reminding_from(invitation):
        raise ServiceError(_l("This invitation was sent or reminded less than a day ago. You can remind once a "
                              "day."), code="too_soon")
    token, invitation.token_hash = new_token()
    invitation.expires_at = utcnow() + timedelta(days=INVITATION_DAYS)
    invitation.last_reminded_at = utcnow()
    invitation.reminders = (invitation.reminders or 0) + 1
    record_event("chain.reminded", invitation, actor=actor, organisation_id=invitation.inviting_organisation_id,
                 summary={"credit_code": invitation.credit_code, "reminders": invitation.reminders})
    _send(invitation, token, invitation.inviting)


def revoke(invitation: ChainInvitation, *, actor: User) -> None:
    if invitation.status != "invited":
        raise ServiceError(_l("Only an open invitation can be withdrawn."), code="not_open")
    invitation.status, invitation.decided_at = "revoked", utcnow()
    record_event("chain.invitation_revoked", invitation, actor=actor,
                 organisation_id=invitation.inviting_organisation_id, summary={"credit_code": invitation.credit_code})


def received(org: Organisation) -> list[ChainInvitation]:
    """Open invitations addressed to this organisation (by its credit code)."""
    return list(db.session.scalars(select(ChainInvitation).where(
        ChainInvitation.credit_code == org.credit_code, ChainInvitation.status == "invited",
        ChainInvitation.expires_at >= utcnow()).order_by(ChainInvitation.created_at)))


def withdrawn_recently(org: Organisation) -> list[ChainInvitation]:
    """Invitations to this organisation that the sender withdrew in the last INVITATION_DAYS: the notification
    of the invitation still points at the page, which says so."""
    return list(db.session.scalars(select(ChainInvitation).where(
        ChainInvitation.credit_code == org.credit_code, ChainInvitation.status == "revoked",
        ChainInvitation.decided_at >= utcnow() - timedelta(days=INVITATION_DAYS))
        .order_by(ChainInvitation.decided_at.desc())))


def sent(org: Organisation):
    """Statement over the invitations this organisation sent, newest first (paged by the page)."""
    return select(ChainInvitation).where(
        ChainInvitation.inviting_organisation_id == org.id).order_by(ChainInvitation.created_at.desc(),
                                                                     ChainInvitation.id.desc())


def accept(invitation: ChainInvitation, supplier: Organisation, *, actor: User) -> ChainLink:
    """The supplier joins the chain: linked at the invitation's tier, with the default consent (its accepted
    reports and submitted assessments shown to the chain's buyer; changeable on the Sharing page)."""
    if invitation.status != "invited" or invitation.expires_at < utcnow():
        raise ServiceError(ANSWERED, code="invalid_invitation")
    if supplier.credit_code != invitation.credit_code or supplier.kind != OrgKind.SUPPLIER:
        raise ServiceError(_l("This invitation is for another company."), code="other_company")
    if invitation.tier == 2 and link_of(invitation.buyer_organisation_id, invitation.inviting_organisation_id) is None:
        raise ServiceError(_l("The company that invited you is no longer in this chain."), code="parent_gone")
    invitation.status, invitation.decided_at = "accepted", utcnow()
    invitation.invitee_organisation_id = supplier.id
    flush_or_conflict(ANSWERED)  # answered twice at once: the second answer is refused
    link = link_of(invitation.buyer_organisation_id, supplier.id)
    if link is None:
        link = ChainLink(buyer_organisation_id=invitation.buyer_organisation_id, supplier_organisation_id=supplier.id,
                         tier=invitation.tier, invitation_id=invitation.id,
                         parent_supplier_id=invitation.inviting_organisation_id if invitation.tier == 2 else None)
        db.session.add(link)
        db.session.flush()
        consent.apply_defaults(supplier, invitation.buyer, actor=actor)
    record_event("chain.joined", link, actor=actor, organisation_id=supplier.id,
                 summary={"buyer": invitation.buyer_organisation_id, "tier": link.tier,
                          "invited_by": invitation.inviting_organisation_id})
    notify(active_admins(invitation.inviting_organisation_id), "chain.joined", link=url_for("chains.overview"),
           org=supplier.name_zh, buyer=invitation.buyer.name_zh, tier=link.tier)
    return link


def decline(invitation: ChainInvitation, supplier: Organisation, *, actor: User) -> None:
    if invitation.status != "invited" or invitation.expires_at < utcnow() \
            or supplier.credit_code != invitation.credit_code:
        raise ServiceError(ANSWERED, code="invalid_invitation")
    invitation.status, invitation.decided_at = "declined", utcnow()
    flush_or_conflict(ANSWERED)
    record_event("chain.declined", invitation, actor=actor, organisation_id=supplier.id,
                 summary={"buyer": invitation.buyer_organisation_id})
    notify(active_admins(invitation.inviting_organisation_id), "chain.declined", link=url_for("chains.overview"),
           org=supplier.name_zh, buyer=invitation.buyer.name_zh, tier=invitation.tier)


def open_by_token(token: str) -> ChainInvitation:
    invitation = db.session.scalars(select(ChainInvitation).where(
        ChainInvitation.token_hash == token_hash(token))).first()
    if invitation is not None and invitation.status == "revoked":
        raise ServiceError(_l("%(inviter)s withdrew this invitation. If you still want to join its supply chain, "
                              "please contact that company.", inviter=invitation.inviting.name_zh), code="withdrawn")
    if invitation is None or invitation.status != "invited" or invitation.expires_at < utcnow():
        raise ServiceError(_l("This invitation has expired, was withdrawn or has already been used. Please ask "
                              "the company that invited you to send a reminder."), code="invalid_invitation")
    return invitation


def shown_status(invitation: ChainInvitation) -> str:
    if invitation.status == "invited" and invitation.expires_at < utcnow():
        return "expired"
    return invitation.status
