from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from portal.access import public
from portal.auth import services
from portal.auth.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm
from portal.errors import ServiceError, render_error
from portal.extensions import db, limiter
from portal.navigation import safe_next

bp = Blueprint("auth", __name__)

LOGIN_FAILED = 401


def _submitted_email() -> str:
    return (request.form.get("email") or "").strip().lower() or get_remote_address()


def _failed_login(response) -> bool:
    return response.status_code == LOGIN_FAILED


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_submitted_email, deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm(next=request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    user = services.authenticate(form.email.data, form.password.data)
    db.session.commit()
    if user is None:
        form.password.errors = [_("The e-mail or password is not correct.")]
        return render_template("auth/login.html", form=form), LOGIN_FAILED
    login_user(user, remember=form.remember.data)
    return redirect(safe_next(form.next.data))


@bp.errorhandler(429)
def too_many_attempts(error):
    if request.endpoint != "auth.login":
        return render_error(error)
    form = LoginForm()
    form.form_errors.append(_l("Too many failed sign-in attempts. Please wait 15 minutes and try again, "
                               "or reset your password."))
    return render_template("auth/login.html", form=form), 429


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account exists for %(email)s, we have sent it a link to choose a new password. "
                "The link works once and expires in %(hours)d hours.",
                email=form.email.data, hours=current_app.config["PASSWORD_RESET_HOURS"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        services.reset_token_user(token)
    except ServiceError as err:
        return render_template("auth/link_invalid.html", message=err.message, password_reset=True), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. Please sign in with the new password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.is_submitted() else 200
