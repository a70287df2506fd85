from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import STRIP


class NewReportForm(FlaskForm):
    site_id = SelectField(_l("Site"), coerce=int)
    year = IntegerField(_l("Reporting year"), default=lambda: date.today().year - 1, validators=[
        DataRequired(message=_l("Enter the year the data is for.")),
        NumberRange(min=2000, max=2100, message=_l("Enter a year such as 2025."))])
    from_last_year = BooleanField(_l("Start from last year's report (values copied into a new draft)"))
    submit = SubmitField(_l("Create report"))


class EvidenceForm(FlaskForm):
    field_path = HiddenField(validators=[DataRequired()])
    file = FileField(_l("Evidence file"), validators=[FileRequired(message=_l("Choose a file to upload."))])
    submit = SubmitField(_l("Attach"))


class CorrectionForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction"), filters=STRIP, validators=[
        DataRequired(message=_l("Give the reason for the correction; the reviewer sees it.")), Length(max=2000)],
        render_kw={"rows": 2})
    submit = SubmitField(_l("Reopen for correction"))


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Note to the supplier"), filters=STRIP, validators=[Optional(), Length(max=4000)],
                         render_kw={"rows": 3})
    decision = HiddenField()
    submit = SubmitField(_l("Send decision"))


class ImportForm(FlaskForm):
    file = FileField(_l("Filled-in Excel template (.xlsx)"),
                     validators=[FileRequired(message=_l("Choose the filled-in Excel file to upload."))])
    submit = SubmitField(_l("Upload and preview"))
