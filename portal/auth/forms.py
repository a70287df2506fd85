from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from portal.forms import email_field, new_password_field


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Please enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(FlaskForm):
    password = new_password_field()
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(message=_l("Please repeat the password.")),
                    EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set new password"))
