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
from portal.reports import ghg
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
    submit = SubmitField(_l("Add factor"))


def _form() -> FactorForm:
    from portal.templating import ENERGY_LABELS, unit_label

    form = FactorForm()
    form.energy_type.choices = [(code, ENERGY_LABELS[code]) for code in ghg.ENERGY_TYPES]
    energy = section("energy")
    units = sorted({u for code in ghg.ENERGY_TYPES for u in energy.item(code).units})
    form.unit.choices = [(code, unit_label(code)) for code in units]
    return form


def add_factor(data: dict, *, actor) -> EmissionFactorRecord:
    energy_type, unit = data["energy_type"], data["unit"]
    if unit not in section("energy").item(energy_type).units:
        raise ServiceError(_l("This unit does not fit this kind of energy."), field="unit")
    if db.session.scalars(select(EmissionFactorRecord).where(EmissionFactorRecord.year == data["year"],
                                                             EmissionFactorRecord.energy_type == energy_type)).first():
        raise ServiceError(_l("There is already a factor for this energy and year."), field="year")
    record = EmissionFactorRecord(year=data["year"], energy_type=energy_type, scope=ghg.ENERGY_TYPES[energy_type],
                                  value=Decimal(data["value"]), unit=unit, source=data["source"],
                                  confirmed=bool(data["confirmed"]), created_by_id=actor.id)
    db.session.add(record)
    record_event("emission_factor.added", record, actor=actor, summary={
        "year": record.year, "energy_type": energy_type, "value": str(record.value), "unit": unit,
        "confirmed": record.confirmed})
    return record


def _page(form, status=200):
    factors = db.session.scalars(select(EmissionFactorRecord).order_by(EmissionFactorRecord.energy_type,
                                                                       EmissionFactorRecord.year)).all()
    return render_template("reports/factors.html", factors=factors, form=form), status


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
                                                                     "confirmed")}, actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            flash(_("Factor added. Reports of that year use it from now on."), "success")
            return redirect(url_for("factors.index"))
    return _page(form, 422)
