from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import STRIP


class RecordFileForm(FlaskForm):
    file = FileField(_l("File of credit ratings or penalty records (CSV or Excel)"),
                     validators=[FileRequired(message=_l("Choose a file to upload."))])
    submit = SubmitField(_l("Upload and check"))


class ExplanationForm(FlaskForm):
    text = TextAreaField(_l("Explanation"), filters=STRIP, render_kw={"rows": 5}, validators=[
        DataRequired(message=_l("Please explain what happened and what your company did about it.")),
        Length(max=5000)])
    files = MultipleFileField(_l("Rectification evidence (PDF, images, Excel or Word)"))
    submit = SubmitField(_l("Submit the explanation"))


class RectifiedForm(FlaskForm):
    note = TextAreaField(_l("Note"), filters=STRIP, render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Please say what showed that the penalty is rectified.")), Length(max=2000)])
    version_id = HiddenField()
    submit = SubmitField(_l("Mark rectified"))
