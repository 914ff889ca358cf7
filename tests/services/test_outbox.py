"""The mail outbox (issue 20): a mail is written in the transaction of the change that causes
it, delivered by a job after the commit, kept while the SMTP server is down and delivered once
when it returns; a retried job never sends it twice; a mail that failed every attempt waits for
an administrator."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.extensions import db
from portal.infra import mail
from portal.infra.timeutil import as_utc
from portal.models import MailState, OutboxMail, Role, User
from portal.services import ServiceError, outbox
from tests import factories
from tests.support.app import login


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once it is closed


@pytest.fixture()
def smtp_down(app: Flask):
    """The SMTP server unreachable (a closed port) until the test puts it back."""
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _closed_port()
    yield lambda: app.config.update(MAIL_PORT=port)
    app.config["MAIL_PORT"] = port


def _queue(user: User) -> None:
    mail.queue(user.email, "Onderwerp", "reset_password", user=user, link="http://x/", minutes=5)


def _rows() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def test_a_rolled_back_change_leaves_no_mail(app: Flask, mailbox) -> None:
    user = factories.UserFactory()
    db.session.commit()
    user.name = "Gewijzigd"
    _queue(user)
    db.session.rollback()
    assert _rows() == []
    assert mailbox.messages == []

    _queue(user)
    assert mailbox.messages == []  # not before the commit
    db.session.commit()
    assert [m["To"] for m in mailbox.messages] == [user.email]
    (row,) = _rows()
    assert row.state is MailState.SENT and row.attempts == 1 and row.sent_at is not None
    assert mailbox.messages[0]["Message-ID"] == row.message_id


def test_a_mail_waits_while_smtp_is_down_and_goes_once_when_it_returns(
    app: Flask, mailbox, smtp_down
) -> None:
    user = factories.UserFactory()
    _queue(user)
    db.session.commit()
    (row,) = _rows()
    assert row.state is MailState.QUEUED
    assert row.attempts == 1
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert mailbox.messages == []
    # The retry is due a minute later (JOBS_RETRY_DELAY), doubling with each attempt.
    first_retry = row.next_attempt_at
    now = datetime.now(UTC)
    # Still down: the sweep tries again, and the mail stays queued with a longer wait.
    assert mail.sweep_outbox(now + timedelta(minutes=10)) == 1
    (row,) = _rows()
    assert row.state is MailState.QUEUED and row.attempts == 2
    assert as_utc(row.next_attempt_at) - as_utc(first_retry) > timedelta(seconds=50)

    smtp_down()  # the server is back
    assert mail.sweep_outbox(now + timedelta(minutes=1)) == 0  # its retry is not due yet
    assert mail.sweep_outbox(now + timedelta(hours=1)) == 1
    assert [m["To"] for m in mailbox.messages] == [user.email]
    (row,) = _rows()
    assert row.state is MailState.SENT and row.attempts == 3

    # Nothing is due any more, and a retried or duplicate job sends nothing.
    assert mail.sweep_outbox(now + timedelta(days=1)) == 0
    mail.deliver(row.id)
    mail.deliver.enqueue(row.id)
    assert len(mailbox.messages) == 1


def test_a_mail_being_sent_is_not_sent_by_a_second_job(app: Flask, mailbox) -> None:
    user = factories.UserFactory()
    db.session.commit()
    with app.app_context():  # as the web request does: its own session
        _queue(user)
        db.session.execute(sa.update(OutboxMail).values(state=MailState.SENDING))
        db.session.commit()  # the delivery job finds it claimed
    (row,) = _rows()
    mail.deliver(row.id)  # a second job while the first is sending
    assert mailbox.messages == []
    # A worker that died while sending leaves a stale claim: the sweep hands it out again.
    assert mail.sweep_outbox(datetime.now(UTC)) == 0
    claimed = datetime.now(UTC) - mail.STALE_SENDING - timedelta(minutes=1)
    db.session.execute(sa.update(OutboxMail).values(next_attempt_at=claimed))
    db.session.commit()
    assert mail.sweep_outbox(datetime.now(UTC)) == 1
    assert len(mailbox.messages) == 1
    assert _rows()[0].state is MailState.SENT


def test_after_the_last_attempt_an_administrator_tries_again(
    app: Flask, client, mailbox, smtp_down
) -> None:
    user = factories.UserFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    _queue(user)
    db.session.commit()
    (row,) = _rows()
    for _ in range(mail.DELIVERY_ATTEMPTS - 1):
        db.session.execute(
            sa.update(OutboxMail).values(next_attempt_at=datetime.now(UTC) - timedelta(hours=1))
        )
        db.session.commit()
        mail.sweep_outbox(datetime.now(UTC))
    (row,) = _rows()
    assert row.state is MailState.FAILED and row.attempts == mail.DELIVERY_ATTEMPTS
    assert mail.sweep_outbox(datetime.now(UTC) + timedelta(days=1)) == 0  # left alone
    login(client, admin)
    page = client.get("/beheer/achtergrondtaken").get_data(as_text=True)
    assert user.email in page and "Opnieuw proberen" in page
    assert "ConnectionRefusedError" in page

    smtp_down()
    response = client.post(f"/beheer/achtergrondtaken/mails/{row.id}/opnieuw")
    assert response.status_code == 302
    assert [m["To"] for m in mailbox.messages] == [user.email]
    assert _rows()[0].state is MailState.SENT
    # A sent mail is not tried again.
    with pytest.raises(ServiceError, match="mail_not_failed"):
        outbox.retry_mail(admin, row.id, datetime.now(UTC))
    assert client.post("/beheer/achtergrondtaken/mails/999/opnieuw").status_code == 404


def test_the_error_shown_holds_no_password(app: Flask, mailbox, smtp_down) -> None:
    app.config["MAIL_PASSWORD"] = "geheim-wachtwoord"
    try:
        with app.app_context():
            assert "geheim-wachtwoord" not in mail.jobs.error_text(
                OSError("login geheim-wachtwoord refused")
            )
    finally:
        app.config["MAIL_PASSWORD"] = ""


def test_old_sent_mails_are_purged(app: Flask, mailbox) -> None:
    user = factories.UserFactory()
    _queue(user)
    _queue(user)
    db.session.commit()
    first, second = _rows()
    first.sent_at = datetime.now(UTC) - timedelta(days=31)
    db.session.commit()
    assert mail.purge_sent(datetime.now(UTC), 30) == 1
    assert [r.id for r in _rows()] == [second.id]
