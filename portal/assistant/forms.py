from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import STRIP

MAX_QUESTION = 1000


class AskForm(FlaskForm):
    question = TextAreaField(_l("Your question"), filters=STRIP, validators=[
        DataRequired(message=_l("Please type a question.")),
        Length(max=MAX_QUESTION, message=_l("Please keep the question under %(max)d characters.", max=MAX_QUESTION))],
        render_kw={"rows": 3, "maxlength": MAX_QUESTION})
    context = HiddenField()
    submit = SubmitField(_l("Ask"))


class FeedbackForm(FlaskForm):
    rating = HiddenField()
    comment = TextAreaField(_l("What was wrong or missing? (optional)"), filters=STRIP,
                            validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Send feedback"))


class ExpertForm(FlaskForm):
    note = TextAreaField(_l("Anything the expert should know (optional)"), filters=STRIP,
                         validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Ask an expert"))


class DocumentUploadForm(FlaskForm):
    file = FileField(_l("Document (Markdown, PDF, Word .docx or HTML)"),
                     validators=[FileRequired(message=_l("Choose a file to upload."))])
    submit = SubmitField(_l("Upload"))
