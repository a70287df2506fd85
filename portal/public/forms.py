"""The public's two forms: an objection to a notice (real name and contact required) and a tip."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.forms import STRIP

TEXT_LIMIT = Length(max=5000, message=_l("Keep it under 5,000 characters."))
# Words people type instead of a name; the notice says anonymous objections are not accepted (DOMAIN.md §7).
NOT_A_NAME = {"匿名", "无名", "无名氏", "佚名", "不详", "无", "保密", "某某", "群众", "市民", "anonymous", "anon",
              "none", "n/a", "na", "unknown", "nobody", "-", "--", "?", "x"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CJK = re.compile(r"[\u3400-\u9fff]")
PHONE_DIGITS = 7  # a fixed-line number without its area code has 7 or 8 digits, a mobile 11
ADDRESS_LETTERS = 6  # "深圳市福田区…": fewer letters than that make no postal address


def real_name(form, field) -> None:
    if field.data and (field.data.casefold() in NOT_A_NAME or len(field.data) < 2):
        raise ValidationError(_l("Give your real name: anonymous objections are not accepted."))


def reachable(form, field) -> None:
    """A telephone number, an e-mail address or a postal address: something the authority can answer."""
    value = field.data or ""
    digits, letters = sum(ch.isdigit() for ch in value), sum(ch.isalpha() for ch in value)
    # An address names a place: it has a number or Chinese characters ("unknown" has neither), and is not a
    # placeholder repeated ("保密保密保密").
    address = (letters >= ADDRESS_LETTERS and (digits or CJK.search(value))
               and not any(CJK.search(word) and not value.replace(word, "") for word in NOT_A_NAME))
    if not (EMAIL.search(value) or digits >= PHONE_DIGITS or address):
        raise ValidationError(_l("Give a telephone number (at least 7 digits), an e-mail address or a postal "
                                 "address, so that the authority can answer you."))


class ObjectionForm(FlaskForm):
    name = StringField(_l("Your real name"), filters=STRIP, validators=[
        DataRequired(message=_l("Give your real name: anonymous objections are not accepted.")), Length(max=100),
        real_name])
    contact = StringField(_l("Telephone, e-mail or postal address"), filters=STRIP, validators=[
        DataRequired(message=_l("Give a telephone number, e-mail or postal address so that the authority can "
                                "answer you.")), Length(max=200), reachable])
    text = TextAreaField(_l("Your objection and its reasons"), filters=STRIP, render_kw={"rows": 6}, validators=[
        DataRequired(message=_l("Write what you object to and why.")),
        Length(min=10, message=_l("Write what you object to and why, in at least 10 characters.")), TEXT_LIMIT])
    submit = SubmitField(_l("Send the objection"))


class TipForm(FlaskForm):
    credit_code = StringField(_l("Unified social credit code of the company (optional)"), filters=STRIP,
                              validators=[Optional(), Length(max=18)])
    text = TextAreaField(_l("What you observed"), filters=STRIP, render_kw={"rows": 6}, validators=[
        DataRequired(message=_l("Describe what you observed: where, when and what.")), TEXT_LIMIT])
    contact = StringField(_l("How to reach you (optional)"), filters=STRIP, validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Send the tip"))
