"""notify(): one in-app notification per active recipient, plus the e-mail in the same transaction.

The message is not stored as text: it is rendered when read, in the reader's language, from the kind and its
parameters (portal/notifications/kinds.py). Parameters hold plain values (text, numbers, dates, Decimals) and
organisations (kept as their names in both languages); other model objects go to the e-mail template only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import delete, func, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.mail import queue_mail
from portal.notifications.kinds import MESSAGES
from portal.notifications.models import Notification


def _plain(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "name_zh"):  # an organisation: its name in each language, chosen when read
        return {"zh": value.name_zh, "en": value.name_en}
    return str(value) if hasattr(value, "__html__") or type(value).__name__ == "LazyString" else _SKIP


_SKIP = object()


def stored_params(params: dict) -> dict:
    """The parameters kept with the notification: plain values only (objects are for the e-mail)."""
    kept = {name: _plain(value) for name, value in params.items()}
    return {name: value for name, value in kept.items() if value is not _SKIP}


def full_url(link: str) -> str:
    """The address of an in-portal path for an e-mail: always PORTAL_BASE_URL, never the request's host (behind
    ProxyFix that comes from X-Forwarded-Host, which anyone can send, and public forms can trigger mail)."""
    if link.startswith(("http://", "https://")):
        return link
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + link


def notify(recipients: Iterable, kind: str, /, *, link: str, mail_template: str | None = None,
           **params) -> list[Notification]:
    """Tells each active recipient (once, even if listed twice) about `kind`; with `mail_template`, also by e-mail.

    Call it inside the service that makes the change, so the notification, the e-mail and the change share a
    transaction (mail leaves only after the commit). `mail_template="notification"` mails the same message as
    the in-app one; a feature's own template gets `link` (a full URL) and the parameters, objects included.
    Any parameter name is allowed (`to`, `template`, `session`, `locale` too): queue_mail takes its own positionally."""
    if kind not in MESSAGES:
        raise KeyError(f"unknown notification kind {kind!r}: add its message to portal/notifications/kinds.py")
    stored = stored_params(params)
    created, seen = [], set()
    for user in recipients:
        if user is None or not user.active or user.id in seen:
            continue
        seen.add(user.id)
        note = Notification(user_id=user.id, kind=kind, params=stored, link=link)
        db.session.add(note)
        created.append(note)
        if mail_template:
            queue_mail(db.session, user.email, mail_template, user.locale,
                       **{**params, "link": full_url(link), "message_kind": kind, "message_params": stored})
    return created


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(note: Notification) -> None:
    if note.read_at is None:
        note.read_at = utcnow()


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


def prune_read(created_before: datetime, *, dry_run: bool = False) -> int:
    """Deletes the read notifications created before `created_before` and says how many (with `dry_run`, only
    counts them). Unread ones are kept whatever their age: nobody has seen them yet."""
    old_and_read = (Notification.read_at.is_not(None), Notification.created_at < created_before)
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(Notification).where(*old_and_read)) or 0
    result = db.session.execute(delete(Notification).where(*old_and_read).execution_options(
        synchronize_session=False))
    return result.rowcount or 0
