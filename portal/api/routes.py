"""The read-only JSON API for buyers (`Authorization: Bearer <token>`, no session, no cookies), its OpenAPI
document and a short page about it, and the page where a buyer's admins create and revoke tokens."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.access import by_token, is_buyer_admin, owned_or_404, public, require, requires
from portal.api import openapi, suppliers, tokens
from portal.api.models import ApiToken
from portal.errors import ServiceError, run_then_redirect
from portal.extensions import db, limiter
from portal.forms import STRIP
from portal.requesters import sender_key

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_PER_PAGE, DEFAULT_PER_PAGE, MAX_PAGE = 100, 20, 100_000_000
REALM = 'Bearer realm="api"'


def can_manage_token(user, token: ApiToken) -> bool:
    return is_buyer_admin(user) and user.organisation_id == token.organisation_id


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the token a name.")), Length(max=100)],
                       filters=STRIP)


# --- errors: JSON in the API, whatever went wrong ------------------------------------------------------------


def api_error(status: int, error: str, message: str, headers: dict | None = None):
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def json_error(code: int, err: Exception):
    """What the app's error pages answer instead under /api/v1/ (portal.errors.render_error)."""
    if not isinstance(err, HTTPException):
        return api_error(code, "internal_server_error", "An unexpected error occurred.")
    # The exception's own headers (Allow on a 405, Retry-After on a 429), not its HTML content type.
    headers = {key: value for key, value in err.get_headers() if key.lower() != "content-type"}
    return api_error(code, err.name.lower().replace(" ", "_"), err.description or "", headers)


def _bearer() -> str | None:
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _authenticated():
    """The request's active token, looked up once (None when missing, unknown or revoked)."""
    if "api_token" not in g:
        g.api_token = tokens.authenticate(_bearer())
    return g.api_token


def _limit_key() -> str:
    """A valid token's own budget; without one, the client's address: made-up tokens share one budget."""
    token = _authenticated()
    return f"api-token:{token.token_hash}" if token is not None else f"api-ip:{request.remote_addr}"


def base_url() -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/")


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def token_required(view):
    """Authenticates by the bearer token alone (a session cookie counts for nothing) and limits each token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = _authenticated()
        if token is None:
            return api_error(401, "invalid_token", "A valid API token is required: Authorization: Bearer <token>.",
                             {"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
        db.session.commit()  # the token's last use, if it changed; the API itself writes nothing
        response = view(*args, **kwargs)
        response.headers["Cache-Control"] = "no-store"
        return response

    # One budget per token across every endpoint of the API; one per address for requests without a valid token.
    return by_token(limiter.shared_limit(_rate_limit, scope="api", key_func=_limit_key)(wrapped))


def _positive(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or not 1 <= int(raw) <= maximum:
        raise ValueError(f"{name} must be a whole number from 1 to {maximum}.")
    return int(raw)


def _supplier_or_404(credit_code: str):
    found = suppliers.one_supplier(g.api_token.organisation_id, credit_code)
    if found is None:
        return None, api_error(404, "not_found", "No supplier with this credit code is in your chain.")
    return found, None


# --- the API -------------------------------------------------------------------------------------------------


@bp.get("/v1/suppliers")
@token_required
def list_suppliers():
    try:
        page, per_page = _positive("page", 1, MAX_PAGE), _positive("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    except ValueError as err:
        return api_error(400, "invalid_parameter", str(err))
    buyer_id = g.api_token.organisation_id
    total = suppliers.count_suppliers(buyer_id)
    pages = max(1, -(-total // per_page))

    def link(number):  # on the portal's own address, never the request's Host header
        return base_url() + url_for("api.list_suppliers", page=number, per_page=per_page)

    return jsonify({
        "items": suppliers.page_of_suppliers(buyer_id, page, per_page) if page <= pages else [],
        "page": page, "per_page": per_page, "total": total, "pages": pages,
        "links": {"self": link(page), "first": link(1), "last": link(pages),
                  "next": link(page + 1) if page < pages else None,
                  "prev": link(min(page - 1, pages)) if page > 1 else None},
    })


@bp.get("/v1/suppliers/<credit_code>")
@token_required
def get_supplier(credit_code):
    found, missing = _supplier_or_404(credit_code)
    return missing or jsonify(suppliers.describe(g.api_token.organisation_id, [found])[0])


@bp.get("/v1/suppliers/<credit_code>/reports")
@token_required
def supplier_reports(credit_code):
    found, missing = _supplier_or_404(credit_code)
    return missing or jsonify({"items": suppliers.shared_reports_of(g.api_token.organisation_id, found[0])})


@bp.get("/v1/suppliers/<credit_code>/assessments")
@token_required
def supplier_assessments(credit_code):
    found, missing = _supplier_or_404(credit_code)
    return missing or jsonify({"items": suppliers.shared_assessments_of(g.api_token.organisation_id, found[0])})


@bp.get("/openapi.json")
@public
@limiter.limit(_rate_limit, key_func=sender_key)  # public: per address (an IPv6 sender by its /64), its own budget
def openapi_document():
    return jsonify(openapi.document(base_url() + "/api"))


@bp.get("")
@public
def about():
    return render_template("api/about.html", can_manage=is_buyer_admin(current_user))


# --- tokens --------------------------------------------------------------------------------------------------


NEW_SECRET = "api_new_token"  # session key: the secret of a token just created, popped when first shown


def _tokens_page(form, status=200, **context):
    response = current_app.make_response((render_template(
        "api/tokens.html", form=form, tokens=tokens.tokens_of(current_user.organisation_id), **context), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tokens")
@requires(is_buyer_admin)
def manage_tokens():
    created, secret = None, None
    new = session.pop(NEW_SECRET, None)  # shown once: a reload no longer has it
    if new:
        created = db.session.get(ApiToken, new.get("id"))
        if created is not None and created.organisation_id == current_user.organisation_id:
            secret = new.get("secret")
    return _tokens_page(TokenForm(formdata=None), created=created if secret else None, secret=secret)


@bp.post("/tokens")
@requires(is_buyer_admin)
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(current_user.organisation, form.name.data, actor=current_user)
        except ServiceError as err:
            err.apply_to(form)
        else:
            db.session.commit()
            # Never stored: carried to the next page in the session and shown there once, so that reloading the
            # page neither shows it again nor creates another token.
            session[NEW_SECRET] = {"id": token.id, "secret": secret}
            return redirect(url_for("api.manage_tokens"), 303)
    return _tokens_page(form, 422)


@bp.post("/tokens/<int:api_token_id>/revoke")
def revoke_token(api_token_id):
    token = owned_or_404(ApiToken, api_token_id)
    require(can_manage_token, token)
    return run_then_redirect(lambda: tokens.revoke_token(token, actor=current_user),
                             _("Token “%(name)s” revoked; it no longer works.", name=token.name),
                             url_for("api.manage_tokens"))
