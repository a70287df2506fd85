"""Platform admins keep the working-day calendar that periods counted in working days use."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.access import is_platform_admin, requires
from portal.errors import ServiceError
from portal.extensions import db
from portal.forms import STRIP
from portal.workdays import calendar

bp = Blueprint("calendar_admin", __name__, url_prefix="/admin/calendar")
KIND_LABELS = {"holiday": _l("Public holiday (no working day)"), "workday": _l("Working day on a weekend (调休)")}


class DaysForm(FlaskForm):
    first = DateField(_l("First day"), validators=[DataRequired(message=_l("Enter the first day."))])
    last = DateField(_l("Last day"), validators=[DataRequired(message=_l("Enter the last day (the same day for "
                                                                          "one day)."))])
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    name = StringField(_l("Name, as in the official notice"), filters=STRIP, validators=[
        DataRequired(message=_l("Name the holiday or the reason, as the official notice does.")), Length(max=100)])
    submit = SubmitField(_l("Add to the calendar"))


def _year() -> int:
    raw = request.args.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else date.today().year


def _page(form: DaysForm, year: int, status: int = 200):
    return render_template("workdays/calendar.html", form=form, year=year, days=calendar.days_of(year),
                           kind_labels=KIND_LABELS, entered_next=calendar.year_entered(year + 1)), status


@bp.get("")
@requires(is_platform_admin)
def index():
    return _page(DaysForm(), _year())


@bp.post("")
@requires(is_platform_admin)
def add():
    form = DaysForm()
    year = form.first.data.year if form.first.data else _year()
    if form.validate():
        try:
            added = calendar.add_days(form.first.data, form.last.data, form.kind.data, form.name.data,
                                      actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            flash(_("%(count)s days added to the calendar.", count=len(added)), "success")
            return redirect(url_for("calendar_admin.index", year=year))
    return _page(form, year, 422)


@bp.post("/<day>/delete")
@requires(is_platform_admin)
def remove(day):
    try:
        found = date.fromisoformat(day)
    except ValueError:
        abort(404)
    try:
        calendar.remove_day(found, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("%(day)s removed from the calendar.", day=found.isoformat()), "success")
    return redirect(url_for("calendar_admin.index", year=found.year))
