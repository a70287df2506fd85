"""Field types shared by the feature forms: how an e-mail, a password or a phone number is typed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.auth.passwords import MIN_LENGTH


def _lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


# Syntax only: whether the address receives mail is proven by the invitation or reset e-mail itself.
# (email-validator refuses special-use domains such as .local, which the demo accounts use.)
EMAIL = Regexp(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", message=_l("This is not a valid e-mail address."))


def email_field(label=None, required: bool = True) -> EmailField:
    validators = [DataRequired(message=_l("Please enter an e-mail address."))] if required else [Optional()]
    validators += [EMAIL, Length(max=254)]
    return EmailField(label or _l("E-mail"), validators=validators, filters=[_lower_strip],
                      render_kw={"autocomplete": "email"})


def new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("New password"),
        validators=[
            DataRequired(message=_l("Please choose a password.")),
            Length(min=MIN_LENGTH, max=200,
                   message=_l("Use at least %(min)d characters.", min=MIN_LENGTH)),
        ],
        render_kw={"autocomplete": "new-password"},
    )


PHONE = Regexp(r"^[0-9+\-() ]{5,30}$", message=_l("Use digits, spaces, + - ( ) only, for example 0755-12345678."))
