"""Tips from the public: anyone sends one (rate-limited); the authority or its technical agency accepts it, which
publishes the text the reviewer settles on, or dismisses it. Nothing of a tip is shown before it is accepted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding.objections import MAX_TEXT
from portal.locking import check_version, flush_or_conflict
from portal.orgs.models import Organisation, OrgKind
from portal.public.models import MAX_PUBLISHED, Tip
from portal.requesters import address_hash

DECISIONS = ("accepted", "dismissed")
CONFLICT = _l("Someone else decided on this tip while you were working on it. Check it and try again.")


def supplier_by_code(credit_code: str | None) -> Organisation | None:
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    found = db.session.scalars(select(Organisation).where(Organisation.credit_code == code,
                                                          Organisation.kind == OrgKind.SUPPLIER)).first()
    if found is None:
        raise ServiceError(_l("No registered supplier has this unified social credit code. Leave it empty and name "
                              "the company in your text instead."), field="credit_code")
    return found


def submit_tip(*, credit_code: str | None, text: str, contact: str | None, address: str | None) -> Tip:
    text = (text or "").strip()
    if not text:
        raise ServiceError(_l("Describe what you observed: where, when and what."), field="text")
    tip = Tip(organisation=supplier_by_code(credit_code), text=text[:MAX_TEXT], contact=(contact or "").strip() or None,
              ip_hash=address_hash(address))
    db.session.add(tip)
    db.session.flush()
    return tip


def decide_tip(tip: Tip, decision: str, *, published_text: str, note: str, expected_version: int | None,
               actor) -> None:
    check_version(tip, expected_version, CONFLICT)
    if tip.status != "new":
        raise ServiceError(_l("This tip has already been decided."), code="decided")
    if decision not in DECISIONS:
        raise ServiceError(_l("Choose to publish or to dismiss the tip."), field="decision")
    published_text, note = (published_text or "").strip(), (note or "").strip()
    if decision == "accepted" and not published_text:
        raise ServiceError(_l("Write the text to publish (leave out names, telephone numbers and other personal "
                              "details)."), field="published_text")
    if len(published_text) > MAX_PUBLISHED:
        raise ServiceError(_l("Keep the published text under %(most)d characters.", most=MAX_PUBLISHED),
                           field="published_text")
    if decision == "dismissed" and not note:
        raise ServiceError(_l("Say why the tip is dismissed (kept for the reviewers, not published)."),
                           field="note")
    actor_id = actor.id  # read before the first change: loading it must not flush a half-decided row
    tip.status, tip.reviewer_note, tip.decided_by_id, tip.decided_at = decision, note or None, actor_id, utcnow()
    tip.published_text = published_text if decision == "accepted" else None
    flush_or_conflict(CONFLICT)
    record_event(f"public.tip_{decision}", tip, actor=actor, organisation_id=tip.organisation_id,
                 summary={"published_text": tip.published_text, "note": tip.reviewer_note})
