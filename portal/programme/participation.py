"""Who takes part through the buyers' supply chains: suppliers per tier, and per buyer and tier (accepted
links of portal.chains; a supplier in two chains counts once per chain, and once in the programme's totals)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.chains.models import ChainLink
from portal.extensions import db
from portal.i18n import current_locale
from portal.orgs.models import Organisation, OrgKind
from portal.programme.tables import Table

SUPPLIERS = _l("Suppliers")


def by_tier():
    total = db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.kind == OrgKind.SUPPLIER))
    rows = db.session.execute(select(ChainLink.tier, func.count(func.distinct(ChainLink.supplier_organisation_id)))
                              .group_by(ChainLink.tier).order_by(ChainLink.tier)).all()
    in_chain = db.session.scalar(select(func.count(func.distinct(ChainLink.supplier_organisation_id))))
    labels = {1: _l("Tier 1"), 2: _l("Tier 2")}
    table_rows = [[str(labels.get(tier, tier)), count] for tier, count in rows]
    table_rows.append([str(_l("In no buyer's chain")), total - in_chain])
    return Table("tiers", _l("Suppliers by tier"), [_l("Tier"), SUPPLIERS], table_rows,
                 note=_l("A supplier that is tier 1 in one chain and tier 2 in another is counted in both tiers."))


def by_buyer():
    tier1 = func.count().filter(ChainLink.tier == 1)
    tier2 = func.count().filter(ChainLink.tier == 2)
    counts = (select(ChainLink.buyer_organisation_id.label("buyer_id"), tier1.label("tier1"),
                     tier2.label("tier2"), func.count().label("total"))
              .group_by(ChainLink.buyer_organisation_id).subquery())
    rows = db.session.execute(
        select(Organisation, counts.c.tier1, counts.c.tier2, counts.c.total)
        .outerjoin(counts, counts.c.buyer_id == Organisation.id)
        .where(Organisation.kind == OrgKind.BUYER).order_by(Organisation.name_zh, Organisation.id)).all()
    locale = current_locale()
    return Table("buyers", _l("Suppliers by buyer"), [_l("Buyer"), _l("Tier 1"), _l("Tier 2"), SUPPLIERS],
                 [[org.display_name(locale), one or 0, two or 0, total or 0] for org, one, two, total in rows])


def tables() -> list:
    return [by_tier(), by_buyer()]
