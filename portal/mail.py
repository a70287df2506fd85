"""Outgoing e-mail: queued on the database session and sent only once the transaction commits.

With MAIL_SERVER set, messages go to SMTP; otherwise each one is written to the outbox folder (one .eml
file per message) and logged, which is what development and the tests read.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_QUEUE_KEY = "portal.outgoing_mail"


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str


def queue_mail(session: Session, to: str, template: str, locale: str | None, /, **context) -> None:
    """Renders `mail/<template>.txt` in the recipient's language; the first line is the subject. The four
    arguments are positional only, so the template's context may use any name (`to`, `template`, ...)."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, _, body = render_template(f"mail/{template}.txt", **context).strip().partition("\n")
    # The subject may be built from what users typed: one line, no CR/LF or other runs of whitespace.
    subject = " ".join(subject.split())
    session.info.setdefault(_QUEUE_KEY, []).append(OutgoingMail(to=to, subject=subject, body=body.strip()))


def deliver(app, mail: OutgoingMail) -> None:
    message = EmailMessage()
    message["From"] = app.config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="greenchain.local")
    message.set_content(mail.body)
    if app.config.get("MAIL_SERVER"):
        with smtplib.SMTP(app.config["MAIL_SERVER"], app.config["MAIL_PORT"], timeout=10) as smtp:
            if app.config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if app.config.get("MAIL_USERNAME"):
                smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_")
    (outbox / f"{name}.eml").write_bytes(message.as_bytes())
    log.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.body)


def _send_after_commit(session) -> None:
    for mail in session.info.pop(_QUEUE_KEY, []):
        try:
            deliver(current_app, mail)
        except Exception:  # whatever goes wrong with one message, the others are still sent
            # The state change is committed; a failed delivery must not turn it into an error page.
            log.exception("could not deliver mail to %s", mail.to)


def _drop_after_rollback(session) -> None:
    session.info.pop(_QUEUE_KEY, None)


def install(session) -> None:
    """Hooks delivery to commits; the listeners live on the session class, so install only once."""
    if not event.contains(session, "after_commit", _send_after_commit):
        event.listen(session, "after_commit", _send_after_commit)
        event.listen(session, "after_rollback", _drop_after_rollback)
