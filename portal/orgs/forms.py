from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.forms import PHONE, STRIP, email_field, new_password_field
from portal.orgs.credit_code import find_problem, normalise
from portal.orgs.districts import district_choices
from portal.orgs.models import MemberRole, OrgKind


def credit_code_message(problem) -> str:
    if problem.kind == "length":
        return _l("A unified social credit code has 18 characters; this one has %(count)d.", count=problem.position)
    if problem.kind == "character" and 3 <= problem.position <= 8:
        return _l("Character %(position)d (\"%(character)s\") is not allowed: characters 3 to 8 are the area "
                  "code and must be digits.", position=problem.position, character=problem.character)
    if problem.kind == "character":
        return _l("Character %(position)d (\"%(character)s\") is not allowed: the code uses digits and capital "
                  "letters except I, O, Z, S and V.", position=problem.position, character=problem.character)
    return _l("The check character (the 18th) does not match the first 17 characters, which give "
              "%(expected)s. Please compare the code with your business licence.", expected=problem.expected)


class CreditCode:
    """GB 32100-2015 format and check character; a legacy code may pass where `legacy_field` is ticked."""

    def __init__(self, legacy_field: str | None = None):
        self.legacy_field = legacy_field

    def __call__(self, form, field):
        field.data = normalise(field.data or "")
        problem = find_problem(field.data)
        if problem is None:
            return
        legacy = self.legacy_field and getattr(form, self.legacy_field).data
        if legacy and problem.kind == "check_digit":
            return
        raise ValidationError(credit_code_message(problem))


INDUSTRY_CODE = Regexp(r"^[A-T]\d{2,4}$", message=_l(
    "Use the GB/T 4754-2017 code: a section letter and 2 to 4 digits, for example C3982."))


class ProfileForm(FlaskForm):
    """What an organisation keeps up to date itself; the credit code is fixed once registered."""

    name_zh = StringField(_l("Name (Chinese)"), filters=STRIP,
                          validators=[DataRequired(message=_l("Please enter the registered Chinese name.")),
                                      Length(max=200)])
    name_en = StringField(_l("Name (English, optional)"), filters=STRIP, validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), filters=STRIP, validators=[Optional(), Length(max=300)])
    district = SelectField(_l("District"), choices=district_choices, validators=[Optional()])
    industry_code = StringField(_l("Industry code (GB/T 4754-2017)"), filters=[*STRIP, lambda v: v.upper() if v else v],
                                validators=[Optional(), INDUSTRY_CODE])
    contact_name = StringField(_l("Contact person"), filters=STRIP, validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), filters=STRIP, validators=[Optional(), PHONE])
    contact_email = email_field(_l("Contact e-mail"), required=False)
    version_id = HiddenField()
    submit = SubmitField(_l("Save profile"))

    def profile_data(self) -> dict:
        return {name: getattr(self, name).data or None for name in PROFILE_FIELDS}


PROFILE_FIELDS = ("name_zh", "name_en", "address", "district", "industry_code", "contact_name",
                  "contact_phone", "contact_email")


class RegistrationForm(ProfileForm):
    """A supplier registers itself and becomes the first organisation admin."""

    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(
        message=_l("Please enter the 18-character code from your business licence.")), CreditCode()])
    person_name = StringField(_l("Your name"), filters=STRIP, validators=[
        DataRequired(message=_l("Please enter your name.")), Length(max=100)])
    email = email_field(_l("Your e-mail (used to sign in)"))
    password = new_password_field(_l("Password"))
    join = SubmitField(_l("Request to join this organisation"))
    submit = SubmitField(_l("Register"))


class OrganisationAdminForm(ProfileForm):
    """A platform admin creates any kind of organisation and may accept a legacy credit code."""

    kind = SelectField(_l("Kind"), choices=[
        (OrgKind.SUPPLIER.value, _l("Supplier")), (OrgKind.BUYER.value, _l("Buyer")),
        (OrgKind.AUTHORITY.value, _l("Environmental authority")), (OrgKind.AGENCY.value, _l("Technical agency"))])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(
        message=_l("Please enter the 18-character code.")), CreditCode(legacy_field="credit_code_legacy")])
    credit_code_legacy = BooleanField(_l("Accept a legacy code that fails the check character "
                                         "(recorded in the audit trail)"))
    first_admin_email = email_field(_l("E-mail of the first organisation admin (an invitation is sent)"),
                                    required=False)


ROLE_CHOICES = [(MemberRole.ADMIN.value, _l("Organisation admin")), (MemberRole.STAFF.value, _l("Staff"))]


class InviteForm(FlaskForm):
    email = email_field()
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=MemberRole.STAFF.value)
    submit = SubmitField(_l("Send invitation"))


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), filters=STRIP, validators=[
        DataRequired(message=_l("Please enter your name.")), Length(max=100)])
    password = new_password_field(_l("Password"))
    submit = SubmitField(_l("Join"))


class MemberRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    submit = SubmitField(_l("Change role"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token: deactivate, approve, revoke."""

    submit = SubmitField(_l("Confirm"))
