"""Who belongs to an organisation: invitations, requests to join, roles and deactivation."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.audit.services import record_event
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.mail import queue_mail
from portal.notifications import notify
from portal.notifications.services import full_url
from portal.orgs.models import Invitation, JoinRequest, MemberRole, Organisation
from portal.orgs.services import ensure_email_free


def invite_member(org: Organisation, email: str, role: str, *, actor: User | None) -> Invitation:
    existing = db.session.scalars(select(User).where(User.email == email)).first()
    if existing is not None:
        message = (_l("%(email)s is already a member of this organisation.", email=email)
                   if existing.organisation_id == org.id else
                   _l("%(email)s already has an account with another organisation. Each account belongs "
                      "to one organisation; please use another e-mail address.", email=email))
        raise ServiceError(message, field="email", code="member_exists")
    token, digest = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(organisation=org, email=email, role=role, token_hash=digest,
                            invited_by_id=getattr(actor, "id", None), expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    record_event("member.invited", invitation, actor=actor, summary={"email": email, "role": role})
    queue_mail(db.session, email, "invitation", None, organisation=org, inviter=actor, days=days,
               link=full_url(url_for("orgs.accept_invitation", token=token)))
    return invitation


def open_invitation(token: str) -> Invitation:
    invitation = db.session.scalars(select(Invitation).where(Invitation.token_hash == token_hash(token))).first()
    if (invitation is None or invitation.accepted_at or invitation.revoked_at
            or invitation.expires_at < utcnow()):
        raise ServiceError(_l("This invitation has expired, was withdrawn or has already been used. "
                              "Please ask your organisation admin for a new one."), code="invalid_invitation")
    return invitation


def accept_invitation(token: str, *, name: str, password: str) -> User:
    invitation = open_invitation(token)
    ensure_email_free(invitation.email)
    user = User(email=invitation.email, name=name, password_hash=hash_password(password),
                organisation_id=invitation.organisation_id, role=invitation.role)
    db.session.add(user)
    invitation.accepted_at = utcnow()
    record_event("member.joined", user, actor=user, summary={"via": "invitation", "role": invitation.role})
    return user


def revoke_invitation(invitation: Invitation, *, actor: User) -> None:
    invitation.revoked_at = utcnow()
    record_event("member.invitation_revoked", invitation, actor=actor, summary={"email": invitation.email})


def request_to_join(org: Organisation, *, name: str, email: str, password: str) -> JoinRequest:
    ensure_email_free(email)
    join_request = JoinRequest(organisation=org, name=name, email=email, password_hash=hash_password(password))
    db.session.add(join_request)
    record_event("member.join_requested", join_request, actor=None, summary={"email": email})
    notify(active_admins(org.id), "orgs.join_request", mail_template="join_request",
           link=url_for("orgs.members", org_id=org.id), person=join_request.name, email=email,
           organisation=org, join_request=join_request)
    return join_request


def decide_join_request(join_request: JoinRequest, approve: bool, *, actor: User) -> User | None:
    if join_request.status != "pending":
        raise ServiceError(_l("This request has already been decided."), code="decided")
    join_request.status = "approved" if approve else "rejected"
    join_request.decided_at = utcnow()
    join_request.decided_by_id = actor.id
    user = None
    if approve:
        ensure_email_free(join_request.email)
        user = User(email=join_request.email, name=join_request.name, password_hash=join_request.password_hash,
                    organisation_id=join_request.organisation_id, role=MemberRole.STAFF)
        db.session.add(user)
    record_event("member.join_" + join_request.status, join_request, actor=actor, summary={"email": join_request.email})
    queue_mail(db.session, join_request.email, "join_decided", None, organisation=join_request.organisation,
               approved=approve, link=full_url(url_for("auth.login")))
    return user


def active_admins(organisation_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.organisation_id == organisation_id, User.role == MemberRole.ADMIN, User.active.is_(True))))


def active_admins_of(organisation_ids) -> dict[int, list[User]]:
    """The active admins of each of these organisations, in one query: {organisation id: [admins]}."""
    ids, found = set(organisation_ids), {}
    if ids:
        for user in db.session.scalars(select(User).where(User.organisation_id.in_(ids), User.role == MemberRole.ADMIN,
                                                          User.active.is_(True)).order_by(User.id)):
            found.setdefault(user.organisation_id, []).append(user)
    return found


def _ensure_another_admin_remains(member: User) -> None:
    if member.role != MemberRole.ADMIN or not member.active:
        return
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.organisation_id == member.organisation_id, User.role == MemberRole.ADMIN,
        User.active.is_(True), User.id != member.id))
    if not others:
        raise ServiceError(_l("%(name)s is the last active organisation admin. Make another member an admin "
                              "first, so that someone can still manage the organisation.", name=member.name),
                           field="role", code="last_admin")


def change_role(member: User, role: str, *, actor: User) -> None:
    if role == member.role:
        return
    if role != MemberRole.ADMIN:
        _ensure_another_admin_remains(member)
    before = member.role
    member.role = role
    record_event("member.role_changed", member, actor=actor, summary={"role": [before, role]})


def set_active(member: User, active: bool, *, actor: User) -> None:
    if active == member.active:
        return
    if not active:
        _ensure_another_admin_remains(member)
        member.session_epoch += 1  # signs the member out everywhere
    member.active = active
    record_event("member.activated" if active else "member.deactivated", member, actor=actor)
