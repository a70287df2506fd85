import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import changes, record_event, snapshot
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.sites.forms import SITE_FIELDS
from portal.sites.models import Site

CONFLICT = _l("Someone else saved this site while you were editing it. Your changes are still in the form; "
              "check them and save again.")


def _ensure_unique_name(organisation_id: int, name: str, site_id: int | None) -> None:
    clash = db.session.scalars(select(Site).where(Site.organisation_id == organisation_id, Site.name == name,
                                                  Site.id != (site_id or 0))).first()
    if clash:
        raise ServiceError(_l("Another site of your company already has this name."), field="name")


# HJ 608-2017: a permit number is the holder's 18-character credit code, a 3-digit sequence number (one per
# site of the same holder) and one letter. Registration receipts are not checked: their format is unconfirmed.
PERMIT_NUMBER = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}\d{3}[A-Z]$")


def _check_permit_number(data: dict) -> None:
    """Key and simplified management hold a discharge permit; registration management files a registration form
    instead (DOMAIN.md, discharge permits), whose number is optional here."""
    number = data.get("permit_number")
    if data.get("permit_category") in ("key", "simplified") and not number:
        raise ServiceError(_l("A site under key or simplified management holds a discharge permit: enter its "
                              "number as printed on it."), field="permit_number")
    if number and data.get("permit_category") in ("key", "simplified") and not PERMIT_NUMBER.match(number):
        raise ServiceError(_l("A discharge permit number has 22 characters: the credit code, 3 digits and a "
                              "letter, for example 91440300MA5G000020001P."), field="permit_number")


def create_site(organisation_id: int, data: dict, *, actor) -> Site:
    _ensure_unique_name(organisation_id, data["name"], None)
    _check_permit_number(data)
    site = Site(organisation_id=organisation_id, **{k: data.get(k) or None for k in SITE_FIELDS})
    site.permit_category = data.get("permit_category") or "registration"
    db.session.add(site)
    record_event("site.created", site, actor=actor, summary=snapshot(site, SITE_FIELDS))
    return site


def update_site(site: Site, data: dict, *, expected_version: int | None, actor) -> None:
    check_version(site, expected_version, CONFLICT)
    _ensure_unique_name(site.organisation_id, data["name"], site.id)
    _check_permit_number(data)
    before = snapshot(site, SITE_FIELDS)
    for key in SITE_FIELDS:
        setattr(site, key, data.get(key) or None)
    site.permit_category = data.get("permit_category") or "registration"
    flush_or_conflict(CONFLICT)
    diff = changes(before, snapshot(site, SITE_FIELDS))
    if diff:
        record_event("site.updated", site, actor=actor, summary=diff)


def sites_of(organisation_id: int) -> list[Site]:
    return list(db.session.scalars(select(Site).where(Site.organisation_id == organisation_id).order_by(Site.name)))
