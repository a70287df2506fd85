from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.forms import STRIP
from portal.orgs.districts import district_choices

PERMIT_CATEGORIES = [("key", _l("Key management (重点管理)")), ("simplified", _l("Simplified management (简化管理)")),
                     ("registration", _l("Registration management (登记管理, no permit)"))]


class SiteForm(FlaskForm):
    name = StringField(_l("Site name"), filters=STRIP, validators=[
        DataRequired(message=_l("Please name the site, for example 宝安一厂.")), Length(max=200)])
    address = StringField(_l("Address"), filters=STRIP, validators=[Optional(), Length(max=300)])
    district = SelectField(_l("District"), choices=district_choices, validators=[Optional()])
    main_products = TextAreaField(_l("Main products"), filters=STRIP, validators=[Optional(), Length(max=2000)],
                                  render_kw={"rows": 2})
    permit_category = SelectField(_l("Discharge permit management category"), choices=PERMIT_CATEGORIES)
    permit_number = StringField(_l("Permit or registration number"),
                                filters=[*STRIP, lambda v: v.upper() if v else v],
                                validators=[Optional(), Regexp(r"^[0-9A-Z-]{6,40}$", message=_l(
                                    "Use the capital letters and digits exactly as printed on the permit."))])
    permit_expiry = DateField(_l("Permit valid until"), validators=[Optional()])
    eia_approval_ref = StringField(_l("EIA approval reference"), filters=STRIP,
                                   validators=[Optional(), Length(max=100)])
    eia_acceptance_ref = StringField(_l("Completion acceptance reference"), filters=STRIP,
                                     validators=[Optional(), Length(max=100)])
    version_id = HiddenField()
    submit = SubmitField(_l("Save site"))


SITE_FIELDS = ("name", "address", "district", "main_products", "permit_category", "permit_number", "permit_expiry",
               "eia_approval_ref", "eia_acceptance_ref")
