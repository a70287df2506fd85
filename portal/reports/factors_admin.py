"""Admins keep the emission factor table: a new year's factors are data, not a code change."""

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from portal.access import is_platform_admin, requires
from portal.audit.services import record_event
from portal.errors import ServiceError
from portal.extensions import db
from portal.forms import STRIP
from portal.local_time import today
from portal.locale_format import exact, unit_label
from portal.reports import ghg, units
from portal.reports.models import EmissionFactorRecord
from portal.reports.schema import section

bp = Blueprint("factors", __name__, url_prefix="/admin/emission-factors")


class FactorForm(FlaskForm):
    year = IntegerField(_l("Data year"), validators=[DataRequired(message=_l("Enter the year the factor is for.")),
                                                     NumberRange(min=2000, max=2100)])
    energy_type = SelectField(_l("Energy"), choices=[])
    value = DecimalField(_l("Factor (tCO₂ per unit)"), places=None, validators=[
        DataRequired(message=_l("Enter the factor as published.")), NumberRange(min=0)])
    unit = SelectField(_l("Per unit of"), choices=[])
    source = TextAreaField(_l("Source (publication, number, date)"), filters=STRIP, validators=[
        DataRequired(message=_l("Name the source, so every figure can be traced.")), Length(max=1000)],
        render_kw={"rows": 2})
    confirmed = BooleanField(_l("Checked against the published source"))
    far_from_neighbour = BooleanField(_l("Add it although it is less than half or more than twice the factor of the "
                                         "nearest year: the difference is real"))
    submit = SubmitField(_l("Add factor"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why it is withdrawn"), filters=STRIP, render_kw={"rows": 1}, validators=[
        DataRequired(message=_l("Say why the factor is withdrawn; the audit trail keeps it.")), Length(max=500)])
    submit = SubmitField(_l("Withdraw this factor"))


def _form() -> FactorForm:
    from portal.templating import ENERGY_LABELS

    form = FactorForm()
    form.energy_type.choices = [(code, ENERGY_LABELS[code]) for code in ghg.ENERGY_TYPES]
    energy = section("energy")
    units = sorted({u for code in ghg.ENERGY_TYPES for u in energy.item(code).units})
    form.unit.choices = [(code, unit_label(code)) for code in units]
    return form


def add_factor(data: dict, *, actor) -> EmissionFactorRecord:
    energy_type, unit = data["energy_type"], data["unit"]
    if data["year"] > today().year:
        raise ServiceError(_l("Factors are published for years that have begun: enter %(year)d or earlier.",
                              year=today().year), field="year")
    if unit not in section("energy").item(energy_type).units:
        raise ServiceError(_l("This unit does not fit this kind of energy."), field="unit")
    if db.session.scalars(select(EmissionFactorRecord).where(EmissionFactorRecord.year == data["year"],
                                                             EmissionFactorRecord.energy_type == energy_type)).first():
        raise ServiceError(_l("There is already a factor for this energy and year."), field="year")
    if not data.get("far_from_neighbour"):
        _check_against_nearest_year(data["year"], energy_type, Decimal(data["value"]), unit)
    record = EmissionFactorRecord(year=data["year"], energy_type=energy_type, scope=ghg.ENERGY_TYPES[energy_type],
                                  value=Decimal(data["value"]), unit=unit, source=data["source"],
                                  confirmed=bool(data["confirmed"]), created_by_id=actor.id)
    db.session.add(record)
    record_event("emission_factor.added", record, actor=actor, summary={
        "year": record.year, "energy_type": energy_type, "value": str(record.value), "unit": unit,
        "confirmed": record.confirmed})
    return record


def _check_against_nearest_year(year: int, energy_type: str, value: Decimal, unit: str) -> None:
    """A slip of the decimal point would change every report that uses the factor: a value under half or over twice
    the nearest year's factor of the same energy (compared per the same unit) is refused until the admin says the
    difference is real. Published grid factors move by a few per cent a year."""
    known = db.session.scalars(select(EmissionFactorRecord).where(EmissionFactorRecord.energy_type == energy_type)
                               ).all()
    if not known:
        return
    nearest = min(known, key=lambda record: (abs(record.year - year), -record.year))
    per_base = value / units.unit(unit).to_base
    nearest_per_base = Decimal(nearest.value) / units.unit(nearest.unit).to_base
    if nearest_per_base > 0 and not (Decimal("0.5") <= per_base / nearest_per_base <= 2):
        raise ServiceError(_l("This is less than half or more than twice the %(year)d factor (%(value)s tCO₂ per "
                              "%(unit)s). Check the decimal point and the unit; if the difference is real, tick the "
                              "box below and add it again.", year=nearest.year, value=exact(nearest.value),
                              unit=unit_label(nearest.unit)), field="value")


def withdraw_factor(record: EmissionFactorRecord, reason: str, *, actor) -> None:
    """Removes a factor an admin added (a wrong one can then be added again); the factors the migrations seeded
    from their published sources stay (they alone have no author: accounts are deactivated, never deleted). Reports
    computed with it use the nearest earlier year's factor again, if there is one."""
    if record.created_by_id is None:
        raise ServiceError(_l("The factors shipped with the portal cite their published source and cannot be "
                              "withdrawn here."))
    record_event("emission_factor.withdrawn", record, actor=actor, summary={
        "year": record.year, "energy_type": record.energy_type, "value": str(record.value), "unit": record.unit,
        "reason": reason})
    db.session.delete(record)


def _page(form, status=200, withdraw_form=None):
    factors = db.session.scalars(select(EmissionFactorRecord).order_by(EmissionFactorRecord.energy_type,
                                                                       EmissionFactorRecord.year)).all()
    return render_template("reports/factors.html", factors=factors, form=form,
                           withdraw_form=withdraw_form or WithdrawForm(formdata=None)), status


@bp.get("")
@requires(is_platform_admin)
def index():
    return _page(_form())


@bp.post("")
@requires(is_platform_admin)
def add():
    form = _form()
    if form.validate():
        try:
            add_factor({name: getattr(form, name).data for name in ("year", "energy_type", "value", "unit", "source",
                                                                     "confirmed", "far_from_neighbour")},
                       actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            flash(_("Factor added. Reports of that year use it from now on."), "success")
            return redirect(url_for("factors.index"))
    return _page(form, 422)


@bp.post("/<int:factor_id>/withdraw")
@requires(is_platform_admin)
def withdraw(factor_id):
    record = db.get_or_404(EmissionFactorRecord, factor_id)
    form = WithdrawForm()
    if not form.validate():
        flash(form.reason.errors[0], "error")
        return redirect(url_for("factors.index"))
    try:
        withdraw_factor(record, form.reason.data, actor=current_user)
    except ServiceError as err:
        flash(err.message, "error")
        return redirect(url_for("factors.index"))
    db.session.commit()
    flash(_("Factor withdrawn. Reports of that year use the nearest earlier year's factor, if there is one, until a "
            "new one is added."), "success")
    return redirect(url_for("factors.index"))
