"""The server process is killed (SIGKILL: no clean-up, no rollback by us) in the middle of a
request. After a restart the database is intact, evidence rows and files still match, nothing
of the interrupted request was half-written, and the portal serves again. Runs on
SQLite and on PostgreSQL; each test starts the portal in its own process
(tests/support/live_server.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask

from portal.extensions import db
from portal.models import Application, ApplicationState, AuditEvent, EvidenceDocument
from portal.services import audit, calendar
from tests import factories
from tests.support.consistency import assert_consistent, evidence_on_disk
from tests.support.live_server import (
    PROJECT_ROOT,
    Browser,
    ServerProcess,
    multipart,
    raw_request,
)

FIELDS = {"evidence_type": "kwaliteitscertificaat", "issued_on": "2026-10-01", "expires_on": ""}
CONTENT = factories.PDF_BYTES + b"%" + b"x" * 200_000  # still a PDF by its first bytes


def in_background(call) -> threading.Thread:
    """A request the test does not wait for: the server dies before it answers."""

    def run() -> None:
        try:
            call()
        except OSError:
            pass  # the connection dies with the server

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def count_events(action: str) -> int:
    return int(
        db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
    )


def serves_again(
    settings: dict[str, str], workdir: Path, email: str
) -> tuple[ServerProcess, Browser]:
    """A restarted server logs the user in and shows a page."""
    server = ServerProcess(settings, workdir)
    browser = Browser(server.url)
    browser.log_in(email, factories.PASSWORD)
    status, _headers, page = browser.request("/aanbieder/documenten")
    assert status == 200 and b"Documenten" in page
    return server, browser


def test_killed_while_receiving_an_upload(
    app: Flask, server_settings: dict[str, str], tmp_path: Path
) -> None:
    user = factories.ProviderUserFactory()
    server = ServerProcess(server_settings, tmp_path)
    try:
        browser = Browser(server.url)
        browser.log_in(user.email, factories.PASSWORD)
        body, content_type = multipart(FIELDS, "polis.pdf", CONTENT)
        head = (
            f"POST /aanbieder/documenten HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: {browser.cookie_header}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}"
        )
        # Half the body, then the server dies while it waits for the rest.
        answer, _ = raw_request(server.port, head, body[: len(body) // 2], timeout=1)
        assert answer == b""  # still reading
    finally:
        server.kill()
    assert_consistent(app)
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)) == 0

    server, browser = serves_again(server_settings, tmp_path, user.email)
    try:
        status, _headers, _page = browser.upload(FIELDS, "polis.pdf", CONTENT)
        assert status == 302
    finally:
        server.kill()
    assert_consistent(app)
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)) == 1


def test_killed_while_storing_an_upload(
    app: Flask, server_settings: dict[str, str], tmp_path: Path
) -> None:
    """Killed after the file is in place and its row written, before the commit: the row is gone
    with the transaction, the file stays (a file without a row, never a row without a file) until
    `flask evidence sweep` removes it."""
    user = factories.ProviderUserFactory()
    server = ServerProcess(server_settings, tmp_path, pause_at="evidence.uploaded")
    try:
        browser = Browser(server.url)
        browser.log_in(user.email, factories.PASSWORD)
        in_background(lambda: browser.upload(FIELDS, "polis.pdf", CONTENT))
        server.wait_until_paused()
    finally:
        server.kill()
    assert count_events("evidence.uploaded") == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)) == 0
    stored, temporary = evidence_on_disk(app)
    assert len(stored) == 1 and temporary == []  # the orphan

    swept = sweep(server_settings, tmp_path)
    assert "1 achtergebleven bestanden verwijderd." in swept
    assert_consistent(app)

    server, browser = serves_again(server_settings, tmp_path, user.email)
    try:
        status, _headers, _page = browser.upload(FIELDS, "polis.pdf", CONTENT)
        assert status == 302
    finally:
        server.kill()
    assert_consistent(app)
    assert count_events("evidence.uploaded") == 1


def sweep(settings: dict[str, str], workdir: Path) -> str:
    """`flask --app portal evidence sweep` as an operator runs it after a crash."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({f"PORTAL_{k}": v for k, v in settings.items()})
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "portal",
            "evidence",
            "sweep",
            "--min-age-minutes",
            "0",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_killed_while_submitting(
    app: Flask, server_settings: dict[str, str], tmp_path: Path
) -> None:
    """Killed inside the submission's transaction: the application is a draft as before, no
    receipt event, the audit chain intact and not blocked; submitting again works."""
    today = datetime.now(UTC).date()
    calendar.ensure_statutory_holidays(range(today.year, today.year + 2))
    db.session.commit()
    das = factories.DasFactory(initial_end_date=date(today.year + 3, 12, 31))
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(das, user, today)
    path = f"/aanbieder/aanmeldingen/{application.id}/indienen"
    server = ServerProcess(server_settings, tmp_path, pause_at="application.submitted")
    try:
        browser = Browser(server.url)
        browser.log_in(user.email, factories.PASSWORD)
        in_background(lambda: browser.post(path, {"declaration": "y"}))
        server.wait_until_paused()
    finally:
        server.kill()
    assert_consistent(app)
    assert db.session.get(Application, application.id).state is ApplicationState.DRAFT
    assert count_events("application.submitted") == 0
    assert audit.verify().intact

    server, browser = serves_again(server_settings, tmp_path, user.email)
    try:
        status, headers, _page = browser.post(path, {"declaration": "y"})
        assert status == 302, _page[:2000]
    finally:
        server.kill()
    db.session.expire_all()
    assert db.session.get(Application, application.id).state is ApplicationState.SUBMITTED
    assert count_events("application.submitted") == 1
    assert audit.verify().intact
    assert_consistent(app)
