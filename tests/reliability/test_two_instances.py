"""Two portal instances, as behind a load balancer: separate processes on different ports and with
different local disks, sharing one database, one S3-compatible store (moto's server on loopback)
and one Redis (Debian's redis-server) for the rate-limit state.

A provider signs in on one instance and carries on on the other; a document uploaded through one
is downloaded through the other; failed log-ins counted on both lock the account on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import EvidenceDocument
from tests import factories
from tests.support.live_server import Browser, ServerProcess, multipart
from tests.support.redisserver import RedisServer
from tests.support.s3server import MotoServer

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FIELDS = {"evidence_type": "kwaliteitscertificaat", "issued_on": "2026-10-01", "expires_on": ""}
CONTENT = factories.PDF_BYTES + b"%" + b"twee instanties " * 20_000
FAILURES_ALLOWED = 3


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture()
def instances(
    server_settings: dict[str, str],
    s3_server: MotoServer,
    s3_bucket: str,
    redis_server: RedisServer,
    tmp_path: Path,
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two instances with the same settings but each its own local directory, so nothing can
    pass between them through a local disk."""
    started = []
    try:
        for name in ("a", "b"):
            workdir = tmp_path / name
            workdir.mkdir()
            settings = server_settings | s3_server.settings(s3_bucket)
            settings |= {
                "EVIDENCE_DIR": str(workdir / "evidence"),
                "UPLOAD_TMP_DIR": str(workdir / "uploads"),
                "MAIL_OUTBOX_DIR": str(workdir / "outbox"),
                "WTF_CSRF_ENABLED": "1",  # as in production: the token must travel too
                "RATELIMIT_STORAGE_URI": redis_server.url,
                "LOCKOUT_FAILURES_PER_ACCOUNT": str(FAILURES_ALLOWED),
            }
            started.append(ServerProcess(settings, workdir))
        yield started[0], started[1]
    finally:
        for server in started:
            server.kill()


def token(browser: Browser, path: str) -> str:
    status, _headers, page = browser.request(path)
    assert status == 200, path
    found = CSRF.search(page.decode())
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def log_in(browser: Browser, email: str, password: str) -> int:
    return browser.post(
        "/inloggen",
        {"csrf_token": token(browser, "/inloggen"), "email": email, "password": password},
    )[0]


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_document_uploaded_through_one_instance_is_downloaded_through_the_other(
    app: Flask,
    instances: tuple[ServerProcess, ServerProcess],
    s3_server: MotoServer,
    s3_bucket: str,
) -> None:
    one, two = instances
    user = factories.ProviderUserFactory()
    db.session.commit()

    browser = Browser(one.url)
    assert log_in(browser, user.email, factories.PASSWORD) == 302
    # The same browser (its cookies) now talks to the other instance, as a load balancer without
    # sticky sessions may send it: the session, and the CSRF token in it, hold there too.
    browser.base = two.url
    csrf = token(browser, "/aanbieder/documenten")
    browser.base = one.url
    body, content_type = multipart(FIELDS | {"csrf_token": csrf}, "keurmerk.pdf", CONTENT)
    status, headers, _page = browser.request(
        "/aanbieder/documenten", body, {"Content-Type": content_type}
    )
    assert status == 302, "upload refused"

    db.session.expire_all()
    document = db.session.scalar(db.select(EvidenceDocument))
    assert document is not None and document.size_bytes == len(CONTENT)
    browser.base = two.url
    status, _headers, page = browser.request("/aanbieder/documenten")
    assert status == 200 and "keurmerk.pdf" in page.decode()
    status, headers, downloaded = browser.request(f"/aanbieder/documenten/{document.id}")
    assert status == 200
    assert downloaded == CONTENT
    assert "attachment" in headers["Content-Disposition"]

    # The file lives in the shared store, not on either instance's disk.
    keys = [
        entry["Key"]
        for entry in s3_server.client().list_objects_v2(Bucket=s3_bucket).get("Contents", [])
    ]
    assert any(key.endswith(document.sha256) for key in keys), keys
    for server in instances:
        assert not [
            p for p in files_under(server.workdir / "evidence") if p.name == document.sha256
        ]
        assert files_under(server.workdir / "uploads") == []  # scratch space cleaned up


def test_failed_log_ins_on_both_instances_lock_the_account_on_both(
    app: Flask, instances: tuple[ServerProcess, ServerProcess], redis_server: RedisServer
) -> None:
    """Three failures allowed per account from browsers it does not know: two on one instance
    and one on the other use them up, so the next attempt from such a browser is refused on
    either. With per-process counters (no Redis) neither instance would have seen three. The
    owner's own browser, known to the account from an earlier log-in (device cookie), still
    gets in, on either instance."""
    one, two = instances
    user = factories.ProviderUserFactory()
    db.session.commit()
    owner = Browser(one.url)
    assert log_in(owner, user.email, factories.PASSWORD) == 302
    owner.post("/uitloggen", {"csrf_token": token(owner, "/aanbieder/")})
    first, second = Browser(one.url), Browser(two.url)
    assert log_in(first, user.email, "fout-wachtwoord-1") == 200
    assert log_in(first, user.email, "fout-wachtwoord-2") == 200
    assert log_in(second, user.email, "fout-wachtwoord-3") == 200
    # Even the right password is refused now, on both.
    assert log_in(first, user.email, factories.PASSWORD) == 429
    assert log_in(second, user.email, factories.PASSWORD) == 429
    owner.base = two.url
    assert log_in(owner, user.email, factories.PASSWORD) == 302
    # Another account is not affected.
    other = factories.ProviderUserFactory()
    db.session.commit()
    assert log_in(second, other.email, factories.PASSWORD) == 302
