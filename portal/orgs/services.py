"""Registering organisations and keeping their profiles, with optimistic locking against lost updates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import changes, record_event, snapshot
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.auth.services import user_by_email
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.orgs.forms import PROFILE_FIELDS
from portal.orgs.models import MemberRole, Organisation, OrgKind

CONFLICT_MESSAGE = _l("Someone else saved this profile while you were editing it. Your changes are still in "
                      "the form below; the current saved values are shown beside it. Review and save again.")


def organisation_by_code(credit_code: str) -> Organisation | None:
    return db.session.scalars(select(Organisation).where(Organisation.credit_code == credit_code)).first()


def ensure_code_free(credit_code: str) -> None:
    existing = organisation_by_code(credit_code)
    if existing is not None:
        raise ServiceError(
            _l("This code is already registered on the platform as %(name)s. You can ask its organisation "
               "admin to let you join instead of registering it again.", name=existing.name_zh),
            field="credit_code", code="exists")


def ensure_email_free(email: str) -> None:
    if user_by_email(email) is not None:
        raise ServiceError(_l("An account with this e-mail already exists. Sign in, or reset the password "
                              "if you have forgotten it."), field="email", code="email_exists")


def update_profile(org: Organisation, data: dict, *, expected_version: int | None, actor: User) -> None:
    check_version(org, expected_version, CONFLICT_MESSAGE)
    before = snapshot(org, PROFILE_FIELDS)
    for name in PROFILE_FIELDS:
        setattr(org, name, data.get(name))
    flush_or_conflict(CONFLICT_MESSAGE)
    diff = changes(before, snapshot(org, PROFILE_FIELDS))
    if diff:
        record_event("org.profile_updated", org, actor=actor, organisation_id=org.id, summary=diff)


def create_organisation(kind: str, credit_code: str, profile: dict, *, actor: User | None,
                        legacy_code: bool = False) -> Organisation:
    ensure_code_free(credit_code)
    org = Organisation(kind=kind, credit_code=credit_code, credit_code_legacy=legacy_code,
                       **{name: profile.get(name) for name in PROFILE_FIELDS})
    db.session.add(org)
    record_event("org.created", org, actor=actor, organisation_id=None,
                 summary={"kind": kind, "credit_code": credit_code, "name_zh": org.name_zh,
                          "legacy_code_accepted": legacy_code})
    return org


def register_supplier(credit_code: str, profile: dict, *, person_name: str, email: str,
                      password: str) -> User:
    """A supplier registers itself; the person registering becomes its first organisation admin."""
    ensure_email_free(email)
    org = create_organisation(OrgKind.SUPPLIER, credit_code, profile, actor=None)
    user = User(email=email, name=person_name, password_hash=hash_password(password), organisation=org,
                role=MemberRole.ADMIN)
    db.session.add(user)
    record_event("org.registered", org, actor=user, organisation_id=org.id, summary={"admin": email})
    return user
