from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired

from portal.forms import email_field
from portal.orgs.forms import CreditCode


class InviteForm(FlaskForm):
    """One supplier; the chain is chosen when the organisation may invite into more than one."""

    buyer_id = SelectField(_l("Chain"), coerce=int)
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(
        message=_l("Please enter the 18-character code of the company's business licence.")), CreditCode()])
    email = email_field(_l("E-mail of the company's contact"))
    submit = SubmitField(_l("Send invitation"))


class BulkForm(FlaskForm):
    buyer_id = SelectField(_l("Chain"), coerce=int)
    file = FileField(_l("Excel (.xlsx) or CSV file"))
    submit = SubmitField(_l("Check the file"))


def whole_number(text: str | None) -> int | None:
    """A posted row number or id: ASCII digits only ("²".isdigit() is True, and int() refuses it), small enough
    for an integer column; anything else is None."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
