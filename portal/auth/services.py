"""Signing in, and resetting a forgotten password through a single-use e-mailed link."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.audit.services import record_event
from portal.auth.models import PasswordResetToken, User
from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.mail import queue_mail
from portal.notifications.services import full_url


def user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email.strip().lower())).first()


def authenticate(email: str, password: str) -> User | None:
    """The user when the e-mail and password match an active account; every attempt is audited."""
    user = user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or not user.active:
        record_event("auth.login_failed", user, actor=None, summary={"email": email})
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record_event("auth.login", user, actor=user)
    return user


def set_password(user: User, password: str, *, actor: User | None) -> None:
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    record_event("auth.password_changed", user, actor=actor or user)


def request_password_reset(email: str) -> None:
    """Sends a link when the account exists; says nothing either way, so e-mails cannot be probed."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    token, digest = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=digest,
                                      expires_at=utcnow() + timedelta(hours=hours)))
    record_event("auth.password_reset_requested", user, actor=None)
    queue_mail(db.session, user.email, "password_reset", user.locale, user=user, hours=hours,
               link=full_url(url_for("auth.reset_password", token=token)))


def reset_token_user(token: str) -> PasswordResetToken:
    found = db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    ).first()
    if found is None or found.used_at is not None or found.expires_at < utcnow() or not found.user.active:
        raise ServiceError(_l("This reset link has expired or has already been used. "
                              "Please ask for a new one."), code="invalid_token")
    return found


def reset_password(token: str, password: str) -> User:
    reset = reset_token_user(token)
    set_password(reset.user, password, actor=reset.user)
    return reset.user
