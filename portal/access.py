"""Who may see what: login by default, named permission predicates, and tenancy-scoped lookups."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db, login_manager
from portal.orgs.models import OrgKind


def public(view: Callable) -> Callable:
    """Marks a view that anyone may open without signing in; every other view needs a login."""
    view.is_public = True
    return view


def by_token(view: Callable) -> Callable:
    """Marks a view that authenticates its caller itself, by an API token (portal.api): no login page, no
    session; the view answers 401 without a valid token."""
    view.authenticates_by_token = True
    return view


def enforce_login():
    """before_request hook: the one place that turns "login required" on for every route."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False) or getattr(view, "authenticates_by_token", False):
        return None
    if current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


# Role predicates: each takes the user (and, for object predicates, the object) and answers yes or no.
def is_platform_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_platform_admin)


def is_org_member(user) -> bool:
    return bool(user.is_authenticated and user.organisation_id is not None)


def is_org_admin(user) -> bool:
    return is_org_member(user) and user.is_org_admin


def is_supplier(user) -> bool:
    return is_org_member(user) and user.org_kind == OrgKind.SUPPLIER


def is_buyer(user) -> bool:
    return is_org_member(user) and user.org_kind == OrgKind.BUYER


def is_buyer_admin(user) -> bool:
    return is_buyer(user) and user.is_org_admin


def is_agency_member(user, obj=None) -> bool:
    """A member of a technical agency (reviewers, experts); `obj` lets workflow tables call it as a rule."""
    return is_org_member(user) and user.org_kind == OrgKind.AGENCY


def can_manage_members(user, organisation) -> bool:
    return is_platform_admin(user) or (is_org_admin(user) and user.organisation_id == organisation.id)


def can_edit_profile(user, organisation) -> bool:
    return can_manage_members(user, organisation)


def requires(predicate: Callable[..., bool]) -> Callable:
    """Route decorator for role-level pages; a signed-in user who fails the predicate gets 403."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def require(predicate: Callable[..., bool], *objects) -> None:
    if not predicate(current_user, *objects):
        abort(403)


def owned_or_404(model, object_id: int, *, within=None, options=()):
    """Loads an object of the current user's organisation; another organisation's id is simply not found.

    `within` narrows the lookup to one organisation (the one named in the URL), for every user; `options` are
    loader options (what the page will read anyway, loaded in the same query).
    """
    stmt = select(model).where(model.id == object_id).options(*options)
    if within is not None:
        stmt = stmt.where(model.owner_clause(within.id))
    if not is_platform_admin(current_user):
        stmt = stmt.where(model.visible_to(current_user))
    found = db.session.scalars(stmt).first()
    if found is None:
        abort(404)
    return found
