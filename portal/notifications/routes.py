"""The notification list, opening one (marks it read, then goes where it points) and "mark all read"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db
from portal.notifications import services
from portal.notifications.kinds import render
from portal.notifications.models import Notification
from portal.pagination import paginate

bp = Blueprint("notifications", __name__)


def unread_notifications() -> int:
    """The bell's count: one indexed count, at most once per request, and only when a page shows the bell."""
    if "unread_notifications" not in g:
        g.unread_notifications = services.unread_count(current_user.id) if current_user.is_authenticated else 0
    return g.unread_notifications


@bp.app_template_global("notification_message")
def _notification_message(kind: str, params: dict) -> str:
    return render(kind, params)


@bp.app_context_processor
def _bell():
    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
def index():
    page = paginate(select(Notification).where(Notification.user_id == current_user.id)
                    .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return render_template("notifications/index.html", page=page)


@bp.get("/notifications/<int:notification_id>")
def open_notification(notification_id: int):
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == current_user.id))
    if note is None:
        abort(404)
    services.mark_read(note)
    db.session.commit()
    # Links are stored as paths; anything else (a full or protocol-relative URL) is not followed.
    if not note.link.startswith("/") or note.link.startswith("//"):
        return redirect(url_for("notifications.index"))
    return redirect(note.link)


@bp.post("/notifications/read")
def mark_all_read():
    count = services.mark_all_read(current_user.id)
    db.session.commit()
    flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count)
          if count else _("Nothing was unread."))
    return redirect(url_for("notifications.index"))
