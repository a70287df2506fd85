"""Names and formats the templates share: labels of enums, localised dates, the language switch."""

from __future__ import annotations

from functools import lru_cache

from flask import request
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from portal.access import can_manage_members, is_platform_admin, is_supplier
from portal.assistant.display import cite_links, render_markdown
from portal.i18n import LOCALES, current_locale, template_gettext
from portal.locale_format import day, exact, moment, number, unit_label
from portal.orgs.districts import district_choices, district_name
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
    "commented": _l("Comments to answer"),
    "approved": _l("Approved"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "verified": _l("Verified"),
    # funding applications
    "expert_review": _l("Expert review"),
    "site_verification": _l("On-site verification"),
    "decision": _l("Awaiting decision"),
    "public_notice": _l("Public notice"),
    "agreement": _l("Agreement"),
    "disbursed": _l("Disbursed"),
    "acceptance": _l("Acceptance"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
    "rejected": _l("Rejected"),
    # trainings and on-site guidance
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
    "registered": _l("Registered"),
    "requested": _l("Requested"),
    "scheduled": _l("Visit scheduled"),
    "visited": _l("Visited: findings recorded"),
    "declined": _l("Declined"),
    # supply chain invitations
    "invited": _l("Invited"),
    "revoked": _l("Withdrawn"),
    "expired": _l("Expired"),
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


def org_name(org) -> str:
    return org.display_name(current_locale()) if org is not None else ""


# Filters below run once per row of a list. They read the render's locale and time zone from the context (put
# there once by `shared`) instead of asking Flask-Babel each time; a macro imported without context asks.
def _render_locale(context) -> tuple[str, object]:
    found = context.get("_render_locale")
    return found if found is not None else (current_locale(), get_timezone())


@pass_context
def datetime_filter(context, value) -> str:
    """The date and the time to the minute in the render's time zone (Shenzhen's)."""
    return moment(value, *_render_locale(context))


@lru_cache(maxsize=256)
def _district_text(code: str | None, locale: str) -> str:
    return district_name(code)  # called while `locale` is in force: catalogues never change in a process


@pass_context
def district_filter(context, code: str | None) -> str:
    return _district_text(code, _render_locale(context)[0])


@pass_context
def org_name_filter(context, org) -> str:
    return org.display_name(_render_locale(context)[0]) if org is not None else ""


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
        date=day,
        datetime=datetime_filter,
        district=district_filter,
        org_name=org_name_filter,
        cite_links=cite_links,
        number=number,
        exact=exact,
        markdown=render_markdown,
    )

    @app.context_processor
    def shared():
        locale = current_locale()
        user = current_user._get_current_object()  # one proxy lookup for the three role flags
        return {
            "gettext": template_gettext(),
            "kind_labels": KIND_LABELS,
            "role_labels": ROLE_LABELS,
            "locale": locale,
            "_render_locale": (locale, get_timezone()),
            "other_locales": [(code, LOCALE_NAMES[code]) for code in LOCALES if code != locale],
            "current_path": request.full_path.rstrip("?") if request else "/",
            "user_role_label": user_role_label,
            "is_platform_admin": is_platform_admin(user),
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
            "is_supplier": is_supplier(user),
            "is_reviewer": is_reviewer(user),
        }
