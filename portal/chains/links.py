"""Who is in whose chain: the read side other features use (dashboards, the public profile, the API)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from portal.chains.models import ChainLink
from portal.extensions import db
from portal.orgs.models import Organisation


def buyers_of(supplier_org_id: int) -> list[Organisation]:
    """The buyers whose chain the supplier is in, at any tier (accepted links only)."""
    return list(db.session.scalars(
        select(Organisation).join(ChainLink, ChainLink.buyer_organisation_id == Organisation.id)
        .where(ChainLink.supplier_organisation_id == supplier_org_id).order_by(Organisation.name_zh)))


def chain_buyers() -> list[tuple[int, Organisation, int]]:
    """Every accepted place in a chain as (supplier id, buyer, tier), for lists of all suppliers. One query."""
    buyer = aliased(Organisation)
    return [tuple(row) for row in db.session.execute(
        select(ChainLink.supplier_organisation_id, buyer, ChainLink.tier)
        .join(buyer, ChainLink.buyer_organisation_id == buyer.id)
        .order_by(ChainLink.supplier_organisation_id, buyer.name_zh))]


def suppliers_of(buyer_org_id: int) -> Select:
    """Rows of (Organisation, tier, parent supplier id) of the buyer's chain, tier 1 first; `scalars()` of it
    gives the organisations."""
    return (select(Organisation, ChainLink.tier, ChainLink.parent_supplier_id)
            .join(ChainLink, ChainLink.supplier_organisation_id == Organisation.id)
            .where(ChainLink.buyer_organisation_id == buyer_org_id)
            .order_by(ChainLink.tier, Organisation.name_zh, Organisation.id))


def tier_of(buyer_org_id: int, supplier_org_id: int) -> int | None:
    return db.session.scalar(select(ChainLink.tier).where(ChainLink.buyer_organisation_id == buyer_org_id,
                                                          ChainLink.supplier_organisation_id == supplier_org_id))


def link_of(buyer_org_id: int, supplier_org_id: int) -> ChainLink | None:
    return db.session.scalars(select(ChainLink).where(ChainLink.buyer_organisation_id == buyer_org_id,
                                                      ChainLink.supplier_organisation_id == supplier_org_id)).first()


def tier1_links_of(supplier_org_id: int) -> list[ChainLink]:
    """The chains in which the supplier is tier 1: the ones it may invite its own suppliers into."""
    return list(db.session.scalars(select(ChainLink).where(ChainLink.supplier_organisation_id == supplier_org_id,
                                                           ChainLink.tier == 1)))


def tree(buyer_org_id: int, *, under: int | None = None) -> list[dict]:
    """The chain as nested nodes [{org, tier, children}] for the buyer; `under` limits it to one tier-1
    supplier's own subtree (what a tier-1 supplier sees). One query."""
    rows = db.session.execute(suppliers_of(buyer_org_id)).all()
    children: dict[int, list[dict]] = {}
    top = []
    for org, tier, _parent_id in rows:
        node = {"org": org, "tier": tier, "children": []}
        if tier == 1:
            top.append(node)
            children[org.id] = node["children"]
    for org, tier, parent_id in rows:
        if tier == 2 and parent_id in children:
            children[parent_id].append({"org": org, "tier": tier, "children": []})
    if under is not None:
        top = [node for node in top if node["org"].id == under]
    return top
