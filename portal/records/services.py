"""What suppliers and reviewers do with the imported records: a supplier explains a penalty with its
rectification evidence, a reviewer (the authority or its technical agency) marks it rectified; and the facts
the assessment's knock-outs read."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from portal import files
from portal.access import is_org_member, is_supplier
from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.notifications.recipients import AGENCY, AUTHORITY, members_of_kind
from portal.orgs.membership import active_admins
from portal.orgs.models import Organisation
from portal.records.models import (
    CreditRating,
    PenaltyExplanation,
    PenaltyRecord,
    RectificationEvidence,
    reviews_records,
)

CONFLICT = _l("Someone else changed this record while you were looking at it. Check it and try again.")
MAX_FILES = 10
# What a list of penalties shows of each row, loaded in one query each rather than one per row.
LIST_OPTIONS = (selectinload(PenaltyRecord.organisation), selectinload(PenaltyRecord.explanations))


def is_own_record(user, record) -> bool:
    return is_org_member(user) and user.organisation.credit_code == record.credit_code


def can_explain(user, penalty: PenaltyRecord) -> bool:
    return is_supplier(user) and is_own_record(user, penalty)


def can_mark_rectified(user, penalty: PenaltyRecord | None = None) -> bool:
    return reviews_records(user)


def records_of(organisation: Organisation) -> tuple[list[CreditRating], list[PenaltyRecord]]:
    ratings = db.session.scalars(select(CreditRating).where(CreditRating.credit_code == organisation.credit_code)
                                 .order_by(CreditRating.year.desc())).all()
    penalties = db.session.scalars(select(PenaltyRecord).options(*LIST_OPTIONS).where(
        PenaltyRecord.credit_code == organisation.credit_code)
        .order_by(PenaltyRecord.decided_on.desc(), PenaltyRecord.id.desc())).all()
    return list(ratings), list(penalties)


def record_facts(organisation_id: int) -> dict[str, object]:
    """credit_rating: the level of the latest year's rating; unrectified_major_violation: only where there are
    penalty records (an organisation without any has no such fact, and an unknown fact applies no knock-out)."""
    code = select(Organisation.credit_code).where(Organisation.id == organisation_id).scalar_subquery()
    facts: dict[str, object] = {}
    level = db.session.scalars(select(CreditRating.level).where(CreditRating.credit_code == code)
                               .order_by(CreditRating.year.desc()).limit(1)).first()
    if level is not None:
        facts["credit_rating"] = level
    penalties = db.session.scalars(select(PenaltyRecord).where(PenaltyRecord.credit_code == code)).all()
    if penalties:
        facts["unrectified_major_violation"] = any(p.major is True and not p.is_rectified for p in penalties)
    return facts


def penalties_for_review(show: str):
    """The reviewers' list: `open` (not rectified, the default), `explained` (not rectified, explained) or `all`."""
    stmt = select(PenaltyRecord).options(*LIST_OPTIONS).order_by(PenaltyRecord.decided_on.desc(),
                                                                  PenaltyRecord.id.desc())
    if show in ("open", "explained"):
        stmt = stmt.where(PenaltyRecord.open_clause())
    if show == "explained":
        stmt = stmt.where(exists().where(PenaltyExplanation.penalty_id == PenaltyRecord.id))
    return stmt


def search(stmt, query: str | None):
    if not query:
        return stmt
    return stmt.where(or_(PenaltyRecord.credit_code.contains(query.upper(), autoescape=True),
                          PenaltyRecord.decision_number.contains(query, autoescape=True)))


def explain(penalty: PenaltyRecord, text: str, uploads: list[tuple[str, bytes]], *, actor) -> PenaltyExplanation:
    """A supplier's explanation with its evidence files, saved together or not at all."""
    if penalty.is_rectified:
        raise ServiceError(_l("This penalty is already rectified; nothing more is needed."), field="text")
    if len(uploads) > MAX_FILES:
        raise ServiceError(_l("Attach at most %(max)d files at a time.", max=MAX_FILES), field="files")
    stored = [files.store(name, data, field="files") for name, data in uploads]
    explanation = PenaltyExplanation(organisation_id=actor.organisation_id, penalty=penalty, text=text,
                                     created_by_id=actor.id)
    explanation.files = [RectificationEvidence(organisation_id=actor.organisation_id, uploaded_by_id=actor.id,
                                               **values) for values in stored]
    db.session.add(explanation)
    record_event("records.penalty_explained", explanation, actor=actor,
                 summary={"decision_number": penalty.decision_number,
                          "files": [{"file": s["filename"], "sha256": s["sha256"]} for s in stored]})
    # The reviewers check it next: the authority and its technical agency (reviews_records).
    notify([*members_of_kind(AUTHORITY), *members_of_kind(AGENCY)], "records.penalty_explained",
           mail_template="notification", link=url_for("records.penalty", penalty_id=penalty.id),
           number=penalty.decision_number, org=actor.organisation)
    return explanation


def mark_rectified(penalty: PenaltyRecord, note: str, *, expected_version: int | None, actor) -> None:
    check_version(penalty, expected_version, CONFLICT)
    if penalty.is_rectified:
        raise ServiceError(_l("This penalty is already marked rectified."), field="note")
    penalty.rectified_at, penalty.rectified_by_id, penalty.rectification_note = utcnow(), actor.id, note
    flush_or_conflict(CONFLICT)
    organisation = penalty.organisation
    record_event("records.penalty_rectified", penalty, actor=actor,
                 organisation_id=organisation.id if organisation else None,
                 summary={"decision_number": penalty.decision_number, "note": note})
    if organisation is not None:
        notify(active_admins(organisation.id), "records.penalty_rectified", mail_template="penalty_rectified",
               link=url_for("records.penalty", penalty_id=penalty.id), number=penalty.decision_number,
               penalty=penalty)
