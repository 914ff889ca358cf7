"""Outgoing e-mail. Over SMTP in production; to an outbox folder or the log in development.

Mail is sent after the transaction that caused it has committed; a failure to send is logged and
reported to the caller, never undoes the user's work.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from portal.domain.text import has_control_characters, single_line
from portal.extensions import db
from portal.infra.links import external_url
from portal.models import User

log = logging.getLogger(__name__)


Attachment = tuple[str, bytes, str]  # file name, content, MIME type


def link(endpoint: str, **values: object) -> str:
    """An absolute link for a mail, on the portal's configured address (EXTERNAL_URL), never on
    the Host of the request that caused the mail; commands without a request make them too."""
    return external_url(endpoint, **values)


class UnusableAddress(ValueError):
    """A recipient address with a line break or other control character: never sent to."""


def recipient_locale(address: str) -> str:
    locale = db.session.scalar(sa.select(User.locale).where(User.email == address))
    return locale if locale is not None and locale in current_app.config["LANGUAGES"] else "nl"


def build(
    to: str,
    subject: object,
    template: str,
    attachments: list[Attachment] | None = None,
    **context: object,
) -> EmailMessage:
    # Header values are one line. Forms refuse control characters, but a value stored before
    # they did (a trade name `Evil\r\nBcc: ...`) must not add headers or fail the request.
    if has_control_characters(to):
        raise UnusableAddress(to)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="das-portaal.nl")
    # Written in the recipient's language, whoever caused the mail; Dutch for new addresses.
    with force_locale(recipient_locale(to)):
        message["Subject"] = single_line(str(subject))
        message.set_content(render_template(f"mail/{template}.txt", **context))
    for filename, content, mimetype in attachments or []:
        maintype, subtype = mimetype.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def queue(
    to: str,
    subject: object,
    template: str,
    attachments: list[Attachment] | None = None,
    **context: object,
) -> None:
    """Put a mail in the outbox, in the caller's transaction: it is sent once that commits.

    SKELETON (lead): the jobs helper turns this into an outbox row + a delivery job. The API stays:
    call it BEFORE the commit of the change that causes the mail."""
    from portal.infra import jobs

    message = build(to, subject, template, attachments, **context)
    jobs.after_commit(_deliver_built, to, str(subject), message)  # type: ignore[arg-type]


def _deliver_built(to: str, subject: str, message: EmailMessage) -> None:
    _transmit(to, subject, message)


def send(
    to: str,
    subject: object,
    template: str,
    attachments: list[Attachment] | None = None,
    **context: object,
) -> bool:
    """Render `templates/mail/<template>.txt` and send it. Returns False when sending failed."""
    try:
        message = build(to, subject, template, attachments, **context)
    except UnusableAddress:
        log.error("Not sent: the address %r has control characters (%s)", to, subject)
        return False
    return _transmit(to, subject, message)


def _transmit(to: str, subject: object, message: EmailMessage) -> bool:
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    try:
        if backend == "smtp":
            smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
            with smtp_class(
                config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=int(config["MAIL_TIMEOUT"])
            ) as smtp:
                if config["MAIL_USE_STARTTLS"]:
                    smtp.starttls()
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(message)
        elif backend == "outbox":
            outbox = config["MAIL_OUTBOX_DIR"] or os.path.join(current_app.instance_path, "outbox")
            os.makedirs(outbox, exist_ok=True)
            path = os.path.join(outbox, f"{uuid.uuid4().hex}.eml")
            with open(path, "wb") as handle:
                handle.write(bytes(message))
            log.info("Mail to %s (%s) written to %s", to, subject, path)
        else:
            log.info("Mail to %s\n%s", to, message.as_string())
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail to %s (%s)", to, subject)
        return False
    return True
