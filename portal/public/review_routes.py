"""The tips queue of the environmental authority and its technical agency (login required, not public): each tip
is accepted, which publishes the text the reviewer settles on, or dismissed with a reason."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.access import owned_or_404, require, requires
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import sent_version
from portal.pagination import paginate
from portal.public import tips
from portal.public.models import MAX_PUBLISHED, TIP_STATUSES, Tip
from portal.records.models import reviews_records

bp = Blueprint("tips", __name__)


def _queue(*, typed=None, errors=None, status=200):
    shown = request.args.get("status", "new")
    stmt = select(Tip).options(selectinload(Tip.organisation), selectinload(Tip.decided_by)) \
        .order_by(Tip.submitted_at.desc(), Tip.id.desc())
    if shown in TIP_STATUSES:
        stmt = stmt.where(Tip.status == shown)
    return render_template("public/tips_queue.html", page=paginate(stmt), shown=shown, statuses=TIP_STATUSES,
                           typed=typed or {}, errors=errors or {}, max_published=MAX_PUBLISHED), status


@bp.get("/tips")
@requires(reviews_records)
def queue():
    return _queue()


@bp.post("/tips/<int:tip_id>/decide")
def decide(tip_id):
    found = owned_or_404(Tip, tip_id)  # nobody but the reviewers sees a tip: others get 404
    require(reviews_records)  # platform admins are not scoped by owned_or_404, and do not decide
    typed = {"tip_id": tip_id, **request.form}
    try:
        tips.decide_tip(found, request.form.get("decision", ""),
                        published_text=request.form.get("published_text", ""), note=request.form.get("note", ""),
                        expected_version=sent_version(request.form.get("version")), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        return _queue(typed=typed, errors={err.field or "decision": err.message},
                      status=422 if err.field else 409)
    flash(_("Tip published.") if found.status == "accepted" else _("Tip dismissed."), "success")
    return redirect(url_for("tips.queue"))

