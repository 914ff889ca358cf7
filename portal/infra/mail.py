"""Outgoing e-mail. Over SMTP in production; to a folder of .eml files or the log in development.

`queue` writes the rendered mail to the outbox table in the transaction of the change that
causes it; a job (`deliver`) sends it after that commits, retried with backoff while the SMTP
server is down, and never twice once it went out. `sweep_outbox` (every few minutes, the
schedule in portal/jobs) enqueues a job for any mail left without one.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from portal.domain.text import has_control_characters, single_line
from portal.extensions import db
from portal.infra import jobs
from portal.infra.links import external_url
from portal.models import MailState, OutboxMail, User
from portal.models._base import utcnow

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
) -> bool:
    """Put a mail in the outbox, in the caller's transaction; a job delivers it once that
    commits (and nothing is sent when it rolls back). Call it BEFORE the commit of the change
    that causes the mail. False for an address that can never be sent to."""
    try:
        message = build(to, subject, template, attachments, **context)
    except UnusableAddress:
        log.error("Not queued: the address %r has control characters (%s)", to, subject)
        return False
    row = OutboxMail(
        recipient=to,
        subject=str(message["Subject"])[:500],
        message_id=str(message["Message-ID"]),
        # As it goes over the wire: CRLF line ends (RFC 5321).
        message=message.as_bytes(policy=message.policy.clone(linesep="\r\n")),
    )
    db.session.add(row)
    db.session.flush()  # its id, for the job
    jobs.after_commit(deliver, row.id)
    return True


# Delivery: the first retry after JOBS_RETRY_DELAY seconds (default a minute), each next one
# after twice as long; after DELIVERY_ATTEMPTS attempts (about four hours) the mail is `failed`
# and waits for an administrator (/beheer/achtergrondtaken).
DELIVERY_ATTEMPTS = 8
# A mail claimed this long ago and still `sending` belongs to a worker that died: claimable.
STALE_SENDING = timedelta(minutes=10)
# A `queued` mail whose attempt was due this long ago has no job waiting for it (the queue was
# down when it was committed, or the job was lost): the outbox sweep enqueues one.
SWEEP_GRACE = timedelta(minutes=2)


class DeliveryFailed(Exception):
    """The SMTP server refused or could not be reached; the job is retried."""


@jobs.task(retries=DELIVERY_ATTEMPTS - 1)
def deliver(mail_id: int) -> None:
    """Send one outbox mail, once: the row is claimed by a conditional UPDATE (only a `queued`
    row, or a stale `sending` one), so a second job for it, or a retried one after success,
    sends nothing."""
    moment = utcnow()
    claimed = db.session.execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            sa.or_(
                OutboxMail.state == MailState.QUEUED,
                sa.and_(
                    OutboxMail.state == MailState.SENDING,
                    OutboxMail.next_attempt_at < moment - STALE_SENDING,
                ),
            ),
        )
        .values(state=MailState.SENDING, attempts=OutboxMail.attempts + 1, next_attempt_at=moment)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return
    row = db.session.get(OutboxMail, mail_id)
    assert row is not None
    try:
        _transmit_bytes(row.recipient, row.subject, row.message)
    except (OSError, smtplib.SMTPException) as error:
        row.last_error = jobs.error_text(error)
        if row.attempts >= DELIVERY_ATTEMPTS:
            row.state = MailState.FAILED
        else:
            row.state = MailState.QUEUED
            delay = int(current_app.config["JOBS_RETRY_DELAY"]) * 2 ** (row.attempts - 1)
            row.next_attempt_at = moment + timedelta(seconds=delay)
        db.session.commit()
        raise DeliveryFailed(row.last_error) from error
    row.state = MailState.SENT
    row.sent_at = utcnow()
    db.session.commit()


def sweep_outbox(moment: datetime) -> int:
    """Enqueue a delivery job for every mail that should have one and has none: queued mails
    whose attempt is overdue, and stale `sending` ones. Returns how many."""
    due = db.session.scalars(
        sa.select(OutboxMail.id).where(
            sa.or_(
                sa.and_(
                    OutboxMail.state == MailState.QUEUED,
                    OutboxMail.next_attempt_at <= moment - SWEEP_GRACE,
                ),
                sa.and_(
                    OutboxMail.state == MailState.SENDING,
                    OutboxMail.next_attempt_at < moment - STALE_SENDING,
                ),
            )
        )
    ).all()
    db.session.commit()
    for mail_id in due:
        deliver.enqueue(mail_id)
    return len(due)


def purge_sent(moment: datetime, keep_days: int) -> int:
    """Delete sent mails older than `keep_days`: their bodies hold personal data, and the
    audit trail, not the outbox, is the record of what happened."""
    result = db.session.execute(
        sa.delete(OutboxMail).where(
            OutboxMail.state == MailState.SENT,
            OutboxMail.sent_at < moment - timedelta(days=keep_days),
        )
    )
    db.session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def send(
    to: str,
    subject: object,
    template: str,
    attachments: list[Attachment] | None = None,
    **context: object,
) -> bool:
    """Render `templates/mail/<template>.txt` and send it now, inside the caller's request.
    Kept for code not yet on the outbox; new code uses `queue`. False when sending failed."""
    try:
        message = build(to, subject, template, attachments, **context)
    except UnusableAddress:
        log.error("Not sent: the address %r has control characters (%s)", to, subject)
        return False
    try:
        _transmit_bytes(
            to, str(subject), message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        )
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail to %s (%s)", to, subject)
        return False
    return True


def _transmit_bytes(to: str, subject: str, data: bytes) -> None:
    """Hand one rendered message to the configured backend; raises when SMTP fails."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=int(config["MAIL_TIMEOUT"])
        ) as smtp:
            if config["MAIL_USE_STARTTLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            sender = parseaddr(config["MAIL_SENDER"])[1]
            smtp.sendmail(sender, [to], data)
    elif backend == "outbox":
        outbox = config["MAIL_OUTBOX_DIR"] or os.path.join(current_app.instance_path, "outbox")
        os.makedirs(outbox, exist_ok=True)
        path = os.path.join(outbox, f"{uuid.uuid4().hex}.eml")
        with open(path, "wb") as handle:
            handle.write(data)
        log.info("Mail to %s (%s) written to %s", to, subject, path)
    else:
        log.info("Mail to %s\n%s", to, data.decode("utf-8", "replace"))
