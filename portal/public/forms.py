"""The public's two forms: an objection to a notice (real name and contact required) and a tip."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import STRIP

TEXT_LIMIT = Length(max=5000, message=_l("Keep it under 5,000 characters."))


class ObjectionForm(FlaskForm):
    name = StringField(_l("Your real name"), filters=STRIP, validators=[
        DataRequired(message=_l("Give your real name: anonymous objections are not accepted.")), Length(max=100)])
    contact = StringField(_l("Telephone, e-mail or postal address"), filters=STRIP, validators=[
        DataRequired(message=_l("Give a telephone number, e-mail or postal address so that the authority can "
                                "answer you.")), Length(max=200)])
    text = TextAreaField(_l("Your objection and its reasons"), filters=STRIP, render_kw={"rows": 6}, validators=[
        DataRequired(message=_l("Write what you object to and why.")), TEXT_LIMIT])
    submit = SubmitField(_l("Send the objection"))


class TipForm(FlaskForm):
    credit_code = StringField(_l("Unified social credit code of the company (optional)"), filters=STRIP,
                              validators=[Optional(), Length(max=18)])
    text = TextAreaField(_l("What you observed"), filters=STRIP, render_kw={"rows": 6}, validators=[
        DataRequired(message=_l("Describe what you observed: where, when and what.")), TEXT_LIMIT])
    contact = StringField(_l("How to reach you (optional)"), filters=STRIP, validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Send the tip"))
