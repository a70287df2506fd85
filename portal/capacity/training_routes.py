"""Training pages: the technical agency writes, publishes, cancels and runs trainings; suppliers register their
organisation. Each change is one transaction; nothing typed is lost on an error."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal import files, local_time
from portal.access import is_supplier, owned_or_404, requires
from portal.capacity import exports, trainings
from portal.capacity.blueprint import bp
from portal.capacity.catalogue import MODE_LABELS
from portal.capacity.models import Training, TrainingMaterial, TrainingRegistration
from portal.capacity.workflow import reads_trainings, runs_trainings
from portal.database import utcnow
from portal.errors import ServiceError, run_then_redirect
from portal.extensions import db
from portal.locking import sent_version
from portal.pagination import paginate

_FULL = (selectinload(Training.registrations).selectinload(TrainingRegistration.organisation),
         selectinload(Training.registrations).selectinload(TrainingRegistration.registered_by),
         selectinload(Training.materials))


@bp.get("/trainings")
@requires(reads_trainings)
def trainings_index():
    now = utcnow()
    if runs_trainings(current_user):
        page = paginate(select(Training).options(selectinload(Training.registrations))
                        .order_by(Training.starts_at.desc(), Training.id.desc()))
        return render_template("capacity/trainings.html", page=page, agency=True, mine={}, modes=MODE_LABELS)
    own = db.session.scalars(select(TrainingRegistration).where(
        TrainingRegistration.organisation_id == current_user.organisation_id)).all()
    mine = {r.training_id: r for r in own}
    stmt = (select(Training).where(or_(Training.status == "published", Training.id.in_(list(mine) or [0])),
                                   Training.status != "draft", Training.ends_at > now)
            .options(selectinload(Training.registrations)).order_by(Training.starts_at, Training.id))
    page = paginate(stmt)
    past = db.session.scalars(select(Training).where(Training.id.in_(list(mine) or [0]), Training.ends_at <= now)
                              .order_by(Training.starts_at.desc())).all()
    return render_template("capacity/trainings.html", page=page, agency=False, mine=mine, past=past,
                           modes=MODE_LABELS)


def _form_page(training: Training | None, *, values=None, errors=None, status=200):
    shown = values or {}
    if training is not None and values is None:
        shown = {"title": training.title, "description": training.description or "", "mode": training.mode,
                 "starts_at": local_time.input_value(training.starts_at),
                 "ends_at": local_time.input_value(training.ends_at), "place": training.place or "",
                 "online_link": training.online_link or "", "capacity": training.capacity,
                 "registration_deadline": training.registration_deadline.isoformat()}
    return render_template("capacity/training_form.html", training=training, values=shown, errors=errors or {},
                           modes=MODE_LABELS), status


@bp.route("/trainings/new", methods=["GET", "POST"])
@requires(runs_trainings)
def new_training():
    if request.method == "GET":
        return _form_page(None, values={"mode": "in_person"})
    values, errors = trainings.read_training(request.form)
    if errors:
        return _form_page(None, values=request.form, errors=errors, status=422)
    training = trainings.create_training(values, actor=current_user)
    db.session.commit()
    flash(_("Training saved as a draft. Attach its materials, then publish it."), "success")
    return redirect(url_for("capacity.training", training_id=training.id))


@bp.route("/trainings/<int:training_id>/edit", methods=["GET", "POST"])
@requires(runs_trainings)
def edit_training(training_id):
    training = owned_or_404(Training, training_id)
    if request.method == "GET":
        return _form_page(training)
    values, errors = trainings.read_training(request.form, training)
    if errors:
        return _form_page(training, values=request.form, errors=errors, status=422)
    try:
        trainings.update_training(training, values, expected_version=sent_version(request.form.get("version")),
                                  actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        field_errors = {err.field: err.message} if err.field else {}
        if not err.field:
            flash(err.message, "error")
        return _form_page(db.session.get(Training, training_id), values=request.form, errors=field_errors,
                          status=409 if err.code == "conflict" else 422)
    flash(_("Training saved."), "success")
    return redirect(url_for("capacity.training", training_id=training_id))


def _detail(training: Training, *, typed=None, status=200):
    own = None
    if is_supplier(current_user):
        own = next((r for r in training.registrations if r.organisation_id == current_user.organisation_id), None)
    return render_template("capacity/training.html", training=training, own=own, typed=typed or {},
                           agency=runs_trainings(current_user), modes=MODE_LABELS,
                           sees_link=trainings.sees_meeting_link(training, current_user),
                           open_for_registration=trainings.open_for_registration(training),
                           started=training.starts_at <= utcnow()), status


@bp.get("/trainings/<int:training_id>")
@requires(reads_trainings)
def training(training_id):
    return _detail(owned_or_404(Training, training_id, options=_FULL))


@bp.post("/trainings/<int:training_id>/act")
@requires(runs_trainings)
def act_training(training_id):
    training = owned_or_404(Training, training_id, options=_FULL)
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    version = sent_version(request.form.get("version"))
    if action not in ("publish", "cancel"):
        abort(400)
    try:
        if action == "publish":
            trainings.publish(training, expected_version=version, actor=current_user)
        else:
            trainings.cancel(training, reason, expected_version=version, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        if not err.field:
            flash(err.message, "error")  # the reason typed stays in the form; a field's error shows beside it
        typed = {"action": action, "reason": reason, "errors": {err.field: err.message} if err.field else {}}
        return _detail(owned_or_404(Training, training_id, options=_FULL), typed=typed,
                       status=422 if err.field else 409)
    flash(_("The training is published: suppliers can register.") if action == "publish" else
          _("The training is cancelled; registered suppliers have been told."), "success")
    return redirect(url_for("capacity.training", training_id=training_id))


@bp.post("/trainings/<int:training_id>/register")
@requires(is_supplier)
def register(training_id):
    training = owned_or_404(Training, training_id)
    typed = request.form.get("attendees", "")
    try:
        trainings.register(training, current_user.organisation_id, trainings.read_attendees(typed),
                           actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        return _detail(owned_or_404(Training, training_id, options=_FULL),
                       typed={"attendees": typed, "error": err.message}, status=422)
    flash(_("Registered. The attendee names can be changed until registration closes."), "success")
    return redirect(url_for("capacity.training", training_id=training_id))


@bp.post("/training-registrations/<int:training_registration_id>/cancel")
@requires(is_supplier)
def cancel_registration(training_registration_id):
    registration = owned_or_404(TrainingRegistration, training_registration_id)
    return run_then_redirect(lambda: trainings.cancel_registration(registration, actor=current_user),
                             _("Registration cancelled; the seats are free for others."),
                             url_for("capacity.training", training_id=registration.training_id))


@bp.post("/trainings/<int:training_id>/materials")
@requires(runs_trainings)
def add_material(training_id):
    training = owned_or_404(Training, training_id)
    upload = request.files.get("file")

    def change():
        if upload is None or not upload.filename:
            raise ServiceError(_("Choose a file to upload."))
        trainings.attach(training, upload.filename, upload.read(), actor=current_user)

    return run_then_redirect(change, _("Material attached."),
                             url_for("capacity.training", training_id=training_id, _anchor="materials"))


@bp.post("/trainings/<int:training_id>/materials/<int:training_material_id>/delete")
@requires(runs_trainings)
def remove_material(training_id, training_material_id):
    training = owned_or_404(Training, training_id)
    return run_then_redirect(lambda: trainings.remove_material(training, training_material_id, actor=current_user),
                             _("Material removed."),
                             url_for("capacity.training", training_id=training_id, _anchor="materials"))


@bp.get("/training-materials/<int:training_material_id>")
@requires(reads_trainings)
def material(training_material_id):
    return files.send_stored(owned_or_404(TrainingMaterial, training_material_id))


@bp.get("/trainings/<int:training_id>/attendees.xlsx")
@requires(runs_trainings)
def attendees_xlsx(training_id):
    training = owned_or_404(Training, training_id, options=_FULL)
    return Response(exports.attendee_workbook(training), headers={
        "Content-Disposition": f'attachment; filename="training-{training.id}-attendees.xlsx"'},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/trainings/<int:training_id>/attendance")
@requires(runs_trainings)
def record_attendance(training_id):
    training = owned_or_404(Training, training_id, options=_FULL)
    present = set()
    for value in request.form.getlist("present"):
        registration_id, _sep, name = value.partition(":")
        if registration_id.isdecimal():
            present.add((int(registration_id), name))
    return run_then_redirect(lambda: trainings.record_attendance(training, present, actor=current_user),
                             _("Attendance saved."),
                             url_for("capacity.training", training_id=training_id, _anchor="registrations"))


@bp.get("/trainings/<int:training_id>/calendar.ics")
@requires(reads_trainings)
def training_ics(training_id):
    training = owned_or_404(Training, training_id)
    link = url_for("capacity.training", training_id=training.id, _external=True)
    calendar = exports.calendar_file(training, link,
                                     with_meeting_link=trainings.sees_meeting_link(training, current_user))
    return Response(calendar, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="training-{training.id}.ics"'})
