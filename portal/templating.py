"""Names and formats the templates share: labels of enums, localised dates, the language switch."""

from __future__ import annotations

from flask import request
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from portal.access import can_manage_members, is_platform_admin, is_supplier
from portal.assistant.display import cite_links, render_markdown
from portal.i18n import LOCALES, current_locale
from portal.orgs.districts import district_choices, district_name
from portal.reports import units
from portal.reports.workflow import is_reviewer
from portal.sites.forms import PERMIT_CATEGORIES

KIND_LABELS = {
    "supplier": _l("Supplier"),
    "buyer": _l("Buyer"),
    "authority": _l("Environmental authority"),
    "agency": _l("Technical agency"),
}
ROLE_LABELS = {"admin": _l("Organisation admin"), "staff": _l("Staff")}
LOCALE_NAMES = {"zh": "中文", "en": "English"}


EFFORT_LABELS = {"low": _l("little effort"), "medium": _l("some effort"), "high": _l("much effort")}
LOST_LABELS = {
    "unanswered": _l("not answered"),
    "answer_no": _l("answered no"),
    "partly": _l("only partly"),
    "option_lower": _l("a better option exists"),
    "below_threshold": _l("below the threshold for full points"),
    "above_threshold": _l("above the threshold for full points"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "accepted": _l("Accepted"),
}
ENERGY_LABELS = {
    "electricity": _l("Grid electricity"),
    "natural_gas": _l("Natural gas"),
    "diesel": _l("Diesel"),
    "gasoline": _l("Gasoline"),
    "coal": _l("Coal"),
    "lpg": _l("LPG"),
    "purchased_heat": _l("Purchased steam or heat"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def status_badge(status: str) -> Markup:
    """A status as words in a badge: its colour only repeats what the words say."""
    return Markup('<span class="badge status-{0}">{1}</span>').format(status, status_label(status))


def unit_label(code: str | None) -> str:
    if not code:
        return ""
    try:
        return units.label(code, current_locale())
    except units.UnitError:
        return code


def number(value) -> str:
    return format_decimal(value) if value is not None else "—"


def org_name(org) -> str:
    return org.display_name(current_locale()) if org is not None else ""


def user_role_label(user) -> str:
    if user.is_platform_admin:
        return str(_l("Platform admin"))
    return f"{KIND_LABELS.get(user.org_kind, '')} · {ROLE_LABELS.get(user.role, '')}"


def assistant_suggestions(context: str | None) -> list[str]:
    from portal.assistant.engine import AssistantUnavailable, get_assistant

    try:
        return get_assistant().suggest(str(context or ""), n=3)
    except AssistantUnavailable:
        return []


def register(app) -> None:
    app.jinja_env.filters.update(
        date=lambda value: format_date(value, "long") if value else "",
        datetime=lambda value: format_datetime(value, "medium") if value else "",
        district=district_name,
        org_name=org_name,
        cite_links=cite_links,
        number=number,
        markdown=render_markdown,
    )

    @app.context_processor
    def shared():
        return {
            "kind_labels": KIND_LABELS,
            "role_labels": ROLE_LABELS,
            "locale": current_locale(),
            "other_locales": [(code, LOCALE_NAMES[code]) for code in LOCALES if code != current_locale()],
            "current_path": request.full_path.rstrip("?") if request else "/",
            "user_role_label": user_role_label,
            "is_platform_admin": is_platform_admin(current_user),
            "can_manage_members": can_manage_members,
            "assistant_suggestions": assistant_suggestions,
            "status_badge": status_badge,
            "status_label": status_label,
            "unit_label": unit_label,
            "energy_label": lambda code: str(ENERGY_LABELS.get(code, code)),
            "effort_label": lambda code: str(EFFORT_LABELS.get(code, code)),
            "lost_label": lambda code: str(LOST_LABELS.get(code, code)),
            "permit_labels": dict(PERMIT_CATEGORIES),
            "district_choices": district_choices,
            "is_supplier": is_supplier(current_user),
            "is_reviewer": is_reviewer(current_user),
        }
