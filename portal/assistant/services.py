"""Asking the assistant, and what users say about its answers."""

from __future__ import annotations

from collections.abc import Iterator

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import guidance
from portal.assistant.engine import get_assistant
from portal.assistant.models import AssistantMessage
from portal.audit.services import record_event
from portal.auth.models import User
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.mail import queue_mail
from portal.notifications.services import full_url
from portal.orgs.models import MemberRole, Organisation, OrgKind

HISTORY_TURNS = 3


def conversation(user: User, limit: int = 50) -> list[AssistantMessage]:
    newest = db.session.scalars(select(AssistantMessage).where(AssistantMessage.user_id == user.id)
                                .order_by(AssistantMessage.id.desc()).limit(limit))
    return list(reversed(list(newest)))


def _history(user: User) -> list[tuple[str, str]]:
    return [(m.question, m.answer) for m in conversation(user, HISTORY_TURNS)]


def _record(user: User, question: str, context: str | None, answer: guidance.Answer) -> AssistantMessage:
    message = AssistantMessage(
        user_id=user.id, organisation_id=user.organisation_id, question=question.strip(), context=context or None,
        answer=answer.text, grounded=answer.grounded, mode=answer.mode, lang=answer.lang, support=answer.support,
        fallback_reason=(answer.fallback_reason or "")[:300] or None,
        citations=[{"doc_id": c.doc_id, "title": c.title, "section": c.section, "chunk_id": c.chunk_id,
                    "lang": c.lang, "score": c.score} for c in answer.citations])
    db.session.add(message)
    return message


def ask(user: User, question: str, *, context: str | None = None) -> AssistantMessage:
    try:
        answer = get_assistant().ask(question, k=4, history=_history(user), context=context or None)
    except guidance.QuestionError as err:
        raise ServiceError(str(err), field="question", code="question") from err
    return _record(user, question, context, answer)


def ask_streaming(user: User, question: str, *, context: str | None = None) -> Iterator[str | AssistantMessage]:
    """Yields the answer's text as the model writes it, then the recorded message (whose text is the one to
    keep: when the model's answer is rejected at the end, it is the extractive answer)."""
    try:
        parts = get_assistant().stream(question, k=4, history=_history(user), context=context or None)
        for part in parts:
            if isinstance(part, guidance.Answer):
                yield _record(user, question, context, part)
            else:
                yield part
    except guidance.QuestionError as err:
        raise ServiceError(str(err), field="question", code="question") from err


def rate(message: AssistantMessage, rating: int, comment: str | None, *, actor: User) -> None:
    if rating not in (-1, 1):
        raise ServiceError(_l("Choose helpful or not helpful."), field="rating")
    message.rating, message.feedback_comment, message.feedback_at = rating, comment or None, utcnow()


def request_expert(message: AssistantMessage, note: str | None, *, actor: User) -> None:
    """Passes the question to the technical agency, whose admins get an e-mail."""
    if message.expert_requested_at is not None:
        raise ServiceError(_l("You have already asked an expert about this question."), code="already")
    message.expert_requested_at, message.expert_note = utcnow(), note or None
    record_event("assistant.expert_requested", message, actor=actor, summary={"question": message.question[:200]})
    agency_admins = db.session.scalars(select(User).join(Organisation).where(
        Organisation.kind == OrgKind.AGENCY, User.role == MemberRole.ADMIN, User.active.is_(True)))
    link = full_url(url_for("guideline_admin.questions"))
    for admin in agency_admins:
        queue_mail(db.session, admin.email, "expert_request", admin.locale, message=message, asker=actor,
                   link=link)


def disliked(limit: int = 100) -> list[AssistantMessage]:
    return list(db.session.scalars(select(AssistantMessage).where(AssistantMessage.rating == -1)
                                   .order_by(AssistantMessage.id.desc()).limit(limit)))


def unanswered(limit: int = 100) -> list[AssistantMessage]:
    return list(db.session.scalars(select(AssistantMessage).where(AssistantMessage.grounded.is_(False))
                                   .order_by(AssistantMessage.id.desc()).limit(limit)))


def expert_requests(limit: int = 100) -> list[AssistantMessage]:
    return list(db.session.scalars(select(AssistantMessage).where(AssistantMessage.expert_requested_at.is_not(None))
                                   .order_by(AssistantMessage.expert_requested_at.desc()).limit(limit)))
