"""Writing the audit trail. Every service that changes state or decides something calls record_event."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request

from portal.audit.models import AuditEvent
from portal.extensions import db


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def record_event(action: str, obj=None, *, actor=None, organisation_id: int | None = None,
                 summary: dict | None = None) -> AuditEvent:
    if obj is not None:
        if obj.id is None:
            db.session.flush()
        if organisation_id is None:
            organisation_id = getattr(obj, "organisation_id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        organisation_id=organisation_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "-",
        object_id=str(obj.id) if obj is not None and obj.id is not None else None,
        summary={key: _plain(value) for key, value in (summary or {}).items()},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
