"""Who hears about what: the people notify() is called with, chosen by their organisation and role."""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.orgs.membership import active_admins
from portal.orgs.models import Organisation, OrgKind

__all__ = ["AGENCY", "AUTHORITY", "active_admins", "members_of", "members_of_kind"]
AUTHORITY, AGENCY = OrgKind.AUTHORITY, OrgKind.AGENCY


def members_of_kind(kind: str) -> list[User]:
    """Every active member of every organisation of one kind (the authority, the technical agencies)."""
    return list(db.session.scalars(select(User).join(Organisation, User.organisation_id == Organisation.id).where(
        Organisation.kind == kind, User.active.is_(True)).order_by(User.id)))


def members_of(organisation_ids) -> list[User]:
    """Every active member of these organisations (a buyer's members may all verify what is shared with it)."""
    ids = set(organisation_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.organisation_id.in_(ids), User.active.is_(True))
                                   .order_by(User.id)))
