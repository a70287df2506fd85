"""The public information platform (no login): supplier search and profiles, the public notices of funding with
the objection form, tips, the notices' Atom feed and a CSV of everything published. Every view is @public and
reads only through portal.public.published."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.access import public
from portal.errors import ServiceError, render_error
from portal.extensions import db, limiter
from portal.funding import objections
from portal.funding.routes import PROJECT_TYPE_LABELS
from portal.local_time import today as city_today
from portal.pagination import paginate
from portal.plans.catalogue import INDICATORS, MEASURE_LABELS
from portal.public import exports, published, tips
from portal.public.forms import ObjectionForm, TipForm
from portal.records.reading import LEVEL_LABELS, STATUS_LABELS
from portal.requesters import sender_key

bp = Blueprint("public", __name__, url_prefix="/public")
PER_PAGE = 20
LIMITED = _l("You have sent several messages in the last hour. Please wait a while and send this one again; what "
             "you typed is still below.")


def _submission_limit() -> str:
    return current_app.config.get("PUBLIC_SUBMISSION_LIMIT", "5 per hour")


def _counts(response) -> bool:
    """Only what was accepted counts against the limit: a form returned for a missing name costs nothing."""
    return response.status_code < 400


@bp.context_processor
def labels():
    return {"level_labels": LEVEL_LABELS, "penalty_status_labels": STATUS_LABELS,
            "project_types": PROJECT_TYPE_LABELS,
            "measure_label": lambda kind: MEASURE_LABELS.get(kind, kind),
            "published_explanations": published.public_explanations,
            "public_badge": lambda application: Markup('<span class="badge status-{0}">{1}</span>').format(
                application.status, published.public_status(application)),
            "indicator_labels": {i.key: (i.label, i.unit) for i in INDICATORS}}


@bp.get("/")
@public
def index():
    query = (request.args.get("q") or "").strip()
    page = paginate(published.suppliers(query), per_page=PER_PAGE)
    latest = db.session.scalars(published.applications().limit(5)).all()
    return render_template("public/index.html", page=page, query=query, latest=latest)


@bp.get("/suppliers/<credit_code>")
@public
def supplier(credit_code):
    found = published.supplier_or_404(credit_code)
    return render_template("public/supplier.html", profile=published.profile(found), today=city_today())


@bp.get("/notices")
@public
def notices():
    page = paginate(published.applications(), per_page=PER_PAGE)
    return render_template("public/notices.html", page=page, today=city_today(),
                           is_open=objections.is_open_for_objections)


def _notice_page(application, form, *, status=200, limited=None):
    return render_template("public/notice.html", application=application, form=form, limited=limited,
                           summary=published.objection_summary(application), today=city_today(),
                           is_open=objections.is_open_for_objections(application, city_today())), status


@bp.get("/notices/<int:application_id>")
@public
def notice(application_id):
    return _notice_page(published.application_or_404(application_id), ObjectionForm())


@bp.post("/notices/<int:application_id>/objections")
@public
@limiter.limit(_submission_limit, key_func=sender_key, deduct_when=_counts)
def file_objection(application_id):
    found = published.application_or_404(application_id)
    form = ObjectionForm()
    if not form.validate():
        return _notice_page(found, form, status=422)
    try:
        objections.file_objection(found, name=form.name.data, contact=form.contact.data, text=form.text.data,
                                  address=request.remote_addr, today=city_today())
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        err.apply_to(form)
        return _notice_page(found, form, status=422)
    flash(_("Your objection was received. The authority examines it and publishes how it was resolved on this "
            "page; it may contact you."), "success")
    return redirect(url_for("public.notice", application_id=application_id, _anchor="objections"))


@bp.get("/notices.atom")
@public
def feed():
    # Entry and feed ids are permanent: built from the configured address, never from the host a request names.
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    body = exports.notices_feed(
        db.session.scalars(published.applications().limit(exports.FEED_ENTRIES)),
        feed_url=base + url_for("public.feed"), page_url=base + url_for("public.notices"),
        link_for=lambda a: base + url_for("public.notice", application_id=a.id))
    return Response(body, mimetype="application/atom+xml")


@bp.get("/published.csv")
@public
def published_csv():
    return Response(exports.published_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=published.csv"})


@bp.route("/tips/new", methods=["GET", "POST"])
@public
@limiter.limit(_submission_limit, key_func=sender_key, methods=["POST"], deduct_when=_counts)
def new_tip():
    form = TipForm()
    if request.method == "GET":
        form.credit_code.data = form.credit_code.data or request.args.get("credit_code", "")
        return render_template("public/tip.html", form=form)
    if not form.validate():
        return render_template("public/tip.html", form=form), 422
    try:
        tips.submit_tip(credit_code=form.credit_code.data, text=form.text.data, contact=form.contact.data,
                        address=request.remote_addr)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        err.apply_to(form)
        return render_template("public/tip.html", form=form), 422
    flash(_("Thank you. Your tip was received; the authority or its technical agency looks into it. Nothing of it "
            "is published unless they accept it."), "success")
    return redirect(url_for("public.index"))


@bp.errorhandler(429)
def too_many(error):
    """The form comes back with what was typed and a note to wait, instead of a bare error page."""
    if request.endpoint == "public.file_objection":
        application = published.application_or_404(request.view_args["application_id"])
        return _notice_page(application, ObjectionForm(), status=429, limited=LIMITED)
    if request.endpoint == "public.new_tip":
        return render_template("public/tip.html", form=TipForm(), limited=LIMITED), 429
    return render_error(error)
