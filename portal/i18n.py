"""Chinese first, English one click away; the choice is remembered per user (and per session before login)."""

from __future__ import annotations

from flask import Blueprint, has_request_context, redirect, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal.access import public
from portal.extensions import db
from portal.navigation import safe_next

LOCALES = ("zh", "en")
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():
        return "zh"
    if current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return "zh"


def current_locale() -> str:
    return str(get_locale() or "zh")


@bp.post("/language")
@public
def switch_language():
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
