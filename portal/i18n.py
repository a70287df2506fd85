"""Chinese first, English one click away; the choice is remembered per user (and per session before login)."""

from __future__ import annotations

from flask import Blueprint, has_request_context, redirect, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

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


def template_gettext():
    """`_()` for one template render, bound to the translations of the locale in force when the render starts.

    Flask-Babel's own template callable looks the locale and catalogue up again on every string (several
    lookups through `g` each); a page has dozens of strings. This does the same as Jinja's newstyle gettext
    (escape the translation, then always %-format it) with one lookup per render. Templates imported without
    context keep Flask-Babel's callable, which gives the same text.
    """
    translate = get_translations().ugettext

    @pass_context
    def gettext(context, string: str, **variables) -> str:
        text = translate(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext


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
