"""Creating, revoking and checking API tokens. The secret is shown once, when created; the database keeps its
SHA-256 only, so a leaked database gives no working token."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api.models import ApiToken
from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db

SECRET_PREFIX = "gsc_"
VISIBLE_CHARS = 12  # "gsc_" and the first 8 characters of the random part
# last_used_at is written at most this often, so a busy client does not write on every call.
USE_RESOLUTION = timedelta(minutes=1)
# Refused in names: control characters, invisible format marks (a right-to-left override disguises a name) and
# line or paragraph separators.
HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp"})


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(organisation, name: str, *, actor) -> tuple[ApiToken, str]:
    """A new token of `organisation` and its secret (shown to the user once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Give the token a name, e.g. the system that will use it."), field="name")
    if len(name) > 100:
        raise ServiceError(_l("At most 100 characters."), field="name")
    if any(unicodedata.category(char) in HIDDEN for char in name):  # shown in lists and the audit trail
        raise ServiceError(_l("The name cannot contain control characters such as tabs or line breaks."),
                           field="name")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organisation_id=organisation.id, name=name, token_hash=digest(secret),
                     prefix=secret[:VISIBLE_CHARS], created_by_id=actor.id)
    db.session.add(token)
    record_event("api_token.created", token, actor=actor, summary={"name": name, "prefix": token.prefix})
    return token, secret


def revoke_token(token: ApiToken, *, actor) -> None:
    if token.revoked_at is not None:
        raise ServiceError(_l("This token was already revoked."), code="revoked")
    token.revoked_at = utcnow()
    record_event("api_token.revoked", token, actor=actor, summary={"name": token.name, "prefix": token.prefix})


def authenticate(secret: str | None) -> ApiToken | None:
    """The active token with this secret, its use recorded (the caller commits); None for a missing, unknown or
    revoked one."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        token.last_used_at = now
    return token


def tokens_of(organisation_id: int) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.organisation_id == organisation_id)
                                   .options(selectinload(ApiToken.created_by))
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())))
