"""Service errors that land beside a form field, and the error pages of both languages."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from portal.extensions import db


class ServiceError(Exception):
    """A rule of the domain said no; `field` names the form field the message belongs beside."""

    def __init__(self, message, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def apply_to(self, form) -> None:
        target = getattr(form, self.field, None) if self.field else None
        if target is not None:
            target.errors = [*list(target.errors or []), self.message]
        else:
            form.form_errors.append(self.message)


class ConflictError(ServiceError):
    """Someone else saved the same object first; nothing of what this user typed is lost."""


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. If you submitted a form, "
                               "reload the page and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page does not exist, or you do not have access to it.")),
    405: (_l("Request not supported"), _l("This address does not accept that kind of request.")),
    413: (_l("File too large"), _l("The upload is larger than the limit of %(mb)s MB. "
                                   "Please reduce the file size and try again.")),
    429: (_l("Too many requests"), _l("You have made too many requests in a short time. "
                                      "Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. Nothing was saved. "
                                         "Please try again; if it keeps happening, contact the programme office.")),
}


def run_then_redirect(change, success: str, target: str):
    """Runs one change in its own transaction: commits and flashes `success`, or rolls back and flashes the
    service's message; either way the user is sent to `target`."""
    try:
        change()
        db.session.commit()
        flash(success, "success")
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(target)


def render_error(error: HTTPException | Exception):
    code = error.code if isinstance(error, HTTPException) and error.code in ERROR_TEXTS else 500
    if code == 500:
        db.session.rollback()  # whatever the failed request had half-done is not kept
    if request.path.startswith("/api/v1/") or request.path == "/api/openapi.json":
        from portal.api.routes import json_error  # the buyers' API and its document answer in JSON

        return json_error(code, error)
    title, text = ERROR_TEXTS[code]
    mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return render_template("errors/error.html", code=code, title=title, text=text % {"mb": mb},
                           path=request.path), code


def register_error_pages(app) -> None:
    for code in ERROR_TEXTS:
        app.register_error_handler(code, render_error)
