from datetime import datetime, time, timedelta, timezone

from flask import Blueprint, render_template, request
from sqlalchemy import select

from portal.access import is_platform_admin, requires
from portal.audit.models import AuditEvent
from portal.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
CST = timezone(timedelta(hours=8))


def _day(value: str | None):
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.get("")
@requires(is_platform_admin)
def events():
    filters = {key: (request.args.get(key) or "").strip() for key in ("actor", "action", "object_type", "object_id",
                                                                      "since", "until")}
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if filters["actor"]:
        stmt = stmt.where(AuditEvent.actor_label.ilike(f"%{filters['actor']}%"))
    if filters["action"]:
        stmt = stmt.where(AuditEvent.action.startswith(filters["action"]))
    if filters["object_type"]:
        stmt = stmt.where(AuditEvent.object_type == filters["object_type"])
    if filters["object_id"]:
        stmt = stmt.where(AuditEvent.object_id == filters["object_id"])
    # Dates are the programme's local days (China Standard Time, UTC+8).
    if since := _day(filters["since"]):
        stmt = stmt.where(AuditEvent.at >= datetime.combine(since, time(), CST))
    if until := _day(filters["until"]):
        stmt = stmt.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time(), CST))
    return render_template("audit/events.html", page=paginate(stmt), filters=filters)
