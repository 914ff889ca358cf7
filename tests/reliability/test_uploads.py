"""Uploads over real sockets : an interrupted upload stores nothing, not even
a temporary file; a body over MAX_CONTENT_LENGTH is refused with the 413 page before it is read;
names are cleaned; content must agree with the name's extension; downloads are attachments with
nosniff. The happy path, refused content kinds and a name with "../" are in
tests/views/test_provider_pages.py and tests/services/test_evidence.py; this module adds what
needs a socket or was not covered there."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.models import EvidenceDocument, EvidenceType, Role, User
from portal.services import ServiceError, applications, evidence
from tests import factories
from tests.support.app import GENEROUS_LIMITS
from tests.support.consistency import assert_consistent, evidence_on_disk
from tests.support.live_server import Browser, multipart, raw_request

FIELDS = {"evidence_type": "kwaliteitscertificaat", "issued_on": "2026-10-01", "expires_on": ""}
CONTENT = factories.PDF_BYTES + b"%" + b"x" * 300_000


@pytest.fixture()
def live(app: Flask) -> Iterator[tuple[str, int]]:
    """The portal on a real socket in this process (threaded, like the development server)."""
    served = create_app(
        {
            "DEVELOPMENT": True,  # a test server on loopback
            "SECRET_KEY": "uploads",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "MAIL_BACKEND": "console",
            **GENEROUS_LIMITS,
        }
    )
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", httpd.server_port
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        with served.app_context():
            db.engine.dispose()


@pytest.fixture()
def provider_browser(live: tuple[str, int]) -> Browser:
    user = factories.ProviderUserFactory()
    browser = Browser(live[0])
    browser.log_in(user.email, factories.PASSWORD)
    return browser


def upload_head(browser: Browser, content_type: str, length: int) -> str:
    return (
        "POST /aanbieder/documenten HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: {browser.cookie_header}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {length}"
    )


def documents() -> int:
    db.session.expire_all()
    return int(db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)))


BODY, CONTENT_TYPE = multipart(FIELDS, "polis.pdf", CONTENT)


@pytest.mark.parametrize(
    "sent",
    [
        len(BODY) // 2,  # in the middle of the file
        BODY.index(b"%PDF") + 10,  # just into the file
        len(BODY) - len(b"\r\n--") - 40,  # the whole file but not its closing boundary
        len(BODY) - 1,  # one byte short
    ],
    ids=["half", "file-started", "no-closing-boundary", "one-byte-short"],
)
def test_interrupted_upload_stores_nothing(
    app: Flask, live: tuple[str, int], provider_browser: Browser, sent: int
) -> None:
    """The browser sends part of the body and hangs up (a closed laptop, a lost connection)."""
    head = upload_head(provider_browser, CONTENT_TYPE, len(BODY))
    raw_request(live[1], head, BODY[:sent], close_after_send=True)
    # The server notices the short body at once; give its thread a moment to finish.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status, _headers, _page = provider_browser.request("/aanbieder/documenten")
        assert status == 200  # and the server still serves
        time.sleep(0.2)
        if documents() == 0 and evidence_on_disk(app) == (set(), []):
            break
    assert documents() == 0
    assert evidence_on_disk(app) == (set(), [])
    assert_consistent(app)


def test_body_over_the_limit_is_refused_before_it_is_read(
    app: Flask, live: tuple[str, int], provider_browser: Browser
) -> None:
    """A Content-Length over MAX_CONTENT_LENGTH (21 MB) with only a few bytes sent: the 413 page
    comes back at once, without the server waiting for the other 21 MB."""
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    head = upload_head(provider_browser, CONTENT_TYPE, limit + 1)
    answer, took = raw_request(live[1], head, BODY[:1000], timeout=5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert took < 3
    assert b"Bestand te groot" in answer
    assert documents() == 0
    assert evidence_on_disk(app) == (set(), [])


@pytest.mark.parametrize(
    ("sent_name", "stored_name"),
    [
        ("bewijs\r\n.pdf", "bewijs.pdf"),
        ("polis\t2026.pdf", "polis2026.pdf"),
        ("\x1b[31mrood.pdf", "[31mrood.pdf"),
        ("\u202egnp.pdf", "gnp.pdf"),  # a right-to-left override that would disguise the name
        ("  verklaring.pdf  ", "verklaring.pdf"),
        ("Verklaring \u201cGemeente\u201d é.pdf", "Verklaring \u201cGemeente\u201d é.pdf"),
    ],
)
def test_control_characters_are_removed_from_names(
    app: Flask, sent_name: str, stored_name: str
) -> None:
    user = factories.ProviderUserFactory()
    document = factories.upload_pdf(user, EvidenceType.OTHER, date(2026, 10, 1))
    stored = evidence.store_upload(
        user.organisation,
        user,
        evidence.Upload(
            io.BytesIO(CONTENT), sent_name, EvidenceType.OTHER, date(2026, 10, 1), None
        ),
    )
    assert stored.filename == stored_name
    assert document.id != stored.id


@pytest.mark.parametrize(
    "name",
    ["../polis.pdf", "C:\\fakepath\\polis.pdf", "/etc/passwd", "polis\x00.pdf", "..", "\r\n\t"],
)
def test_names_with_path_parts_are_refused_and_store_nothing(app: Flask, name: str) -> None:
    user = factories.ProviderUserFactory()
    with pytest.raises(ServiceError) as refused:
        evidence.store_upload(
            user.organisation,
            user,
            evidence.Upload(io.BytesIO(CONTENT), name, EvidenceType.OTHER, date(2026, 10, 1), None),
        )
    assert refused.value.code == "upload_bad_name"
    assert documents() == 0
    assert evidence_on_disk(app) == (set(), [])


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (factories.PNG_BYTES, "scan.pdf"),
        (factories.JPEG_BYTES, "foto.png"),
        (factories.PDF_BYTES, "foto.jpg"),
        (factories.PDF_BYTES, "pagina.html"),
        (factories.PDF_BYTES, "setup.exe"),
        (factories.PDF_BYTES, "afbeelding.svg"),
    ],
    ids=["png-as-pdf", "jpeg-as-png", "pdf-as-jpg", "pdf-as-html", "pdf-as-exe", "pdf-as-svg"],
)
def test_content_that_does_not_match_the_extension_is_refused(
    app: Flask, live: tuple[str, int], provider_browser: Browser, content: bytes, name: str
) -> None:
    status, _headers, page = provider_browser.upload(FIELDS, name, content)
    assert status == 200
    extension = name.rpartition(".")[2]
    if extension in {"html", "exe", "svg"}:  # not a document we take: it could run
        assert f"Bestanden met de extensie .{extension} nemen we niet aan" in page.decode()
    else:
        assert "De inhoud van het bestand past niet bij de naam" in page.decode()
        kind = {factories.PNG_BYTES: "PNG", factories.JPEG_BYTES: "JPG"}.get(content, "PDF")
        assert f"het is een {kind}-bestand. Geef het de extensie .{kind.lower()}" in page.decode()
    assert documents() == 0
    assert evidence_on_disk(app) == (set(), [])


@pytest.mark.parametrize(
    ("content", "name", "kept"),
    [
        (factories.PDF_BYTES, "polis.PDF", "polis.PDF"),
        (factories.JPEG_BYTES, "foto.jpeg", "foto.jpeg"),
        (factories.JPEG_BYTES, "foto.JPG", "foto.JPG"),
        (factories.PNG_BYTES, "scan.png", "scan.png"),
        # No extension: the content decides, and its extension is added, so the file opens as what it is.
        (factories.PDF_BYTES, "verklaring-v1.2", "verklaring-v1.2.pdf"),
    ],
    ids=["PDF", "jpeg", "JPG", "png", "no-extension"],
)
def test_content_that_matches_the_extension_is_accepted(
    app: Flask, content: bytes, name: str, kept: str
) -> None:
    user = factories.ProviderUserFactory()
    stored = evidence.store_upload(
        user.organisation,
        user,
        evidence.Upload(io.BytesIO(content), name, EvidenceType.OTHER, date(2026, 10, 1), None),
    )
    assert stored.filename == kept


def test_downloads_are_attachments_with_nosniff_for_provider_and_reviewer(
    app: Flask, live: tuple[str, int], provider_browser: Browser
) -> None:
    """Over HTTP, with a name that needs encoding: the header stays one line, the browser saves
    the file instead of showing it, and does not guess another type."""
    name = "Verklaring (getekend) é; versie 2.pdf"
    status, headers, _page = provider_browser.upload(FIELDS, name, CONTENT)
    assert status == 302
    document = db.session.scalar(db.select(EvidenceDocument))
    assert document.filename == name
    # Staff download evidence attached to a submitted application.
    user = db.session.get(User, document.uploaded_by_id)
    application = factories.complete_draft(factories.DasFactory(), user, date(2027, 3, 1))
    applications.submit(application, user, datetime(2027, 3, 1, 9, tzinfo=UTC))
    attached = db.session.scalar(
        db.select(EvidenceDocument).where(EvidenceDocument.id != document.id).limit(1)
    )
    attached.filename = name
    db.session.commit()
    reviewer = factories.UserFactory(role=Role.ADMINISTRATOR)
    staff = Browser(live[0])
    staff.post("/inloggen", {"email": reviewer.email, "password": factories.PASSWORD})
    status, headers, _ = staff.post("/inloggen/code", {"code": factories.current_code(reviewer)})
    assert status == 302
    for browser, path, content in (
        (provider_browser, f"/aanbieder/documenten/{document.id}", CONTENT),
        (staff, f"/beoordeling/documenten/{attached.id}", factories.PDF_BYTES),
    ):
        status, headers, body = browser.request(path)
        assert status == 200, path
        assert body == content
        disposition = headers["Content-Disposition"]
        assert disposition.startswith("attachment;"), disposition
        assert "\r" not in disposition and "\n" not in disposition
        assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == name
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Type"] == "application/pdf"


def test_sweep_removes_only_old_leftovers(app: Flask) -> None:
    """`flask evidence sweep`: old temporary files and old files without a row go; files with
    a row, and leftovers young enough to belong to an upload in progress, stay."""
    import os

    user = factories.ProviderUserFactory()
    kept = factories.upload_pdf(user, EvidenceType.OTHER, date(2026, 10, 1))
    root = app.config["EVIDENCE_DIR"]
    os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
    os.makedirs(os.path.join(root, "ab"), exist_ok=True)
    old_temporary = os.path.join(root, "tmp", "tmpold")
    new_temporary = os.path.join(root, "tmp", "tmpnew")
    orphan = os.path.join(root, "ab", "ab" + "0" * 62)
    for path in (old_temporary, new_temporary, orphan):
        with open(path, "wb") as handle:
            handle.write(b"x")
    hour_ago = time.time() - 3601
    for path in (old_temporary, orphan, evidence.path_for(kept.sha256)):
        os.utime(path, (hour_ago, hour_ago))
    assert sorted(evidence.remove_orphans()) == sorted([old_temporary, orphan])
    assert os.path.exists(new_temporary) and os.path.exists(evidence.path_for(kept.sha256))


def test_an_orphan_is_adopted_by_the_same_content_uploaded_again(app: Flask) -> None:
    """The same bytes uploaded after a crash reuse the file left behind and make it fresh, so a
    sweep running meanwhile does not take it from under the new row."""
    import os

    user = factories.ProviderUserFactory()
    first = factories.upload_pdf(user, EvidenceType.OTHER, date(2026, 10, 1))
    path = evidence.path_for(first.sha256)
    db.session.delete(first)  # as if its transaction had never committed
    db.session.commit()
    hour_ago = time.time() - 3601
    os.utime(path, (hour_ago, hour_ago))
    again = factories.upload_pdf(user, EvidenceType.OTHER, date(2026, 10, 1))
    assert again.sha256 == first.sha256
    assert evidence.remove_orphans() == []
    assert_consistent(app)
