"""Two reviewers press "decide" on the same application at the same moment, as real HTTP
requests to a threaded server: one decision is recorded, the other reviewer is told the
application changed. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent, LotOutcome, Role, User
from portal.services import applications, calendar
from tests import factories
from tests.support.app import GENEROUS_LIMITS


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture()
def server(app: Flask) -> Iterator[str]:
    served = create_app(
        {
            "DEVELOPMENT": True,  # a test server on loopback
            "SECRET_KEY": "concurrency",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            **GENEROUS_LIMITS,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
        }
    )
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


def browser_for(base: str, email: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def post(path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        try:
            with opener.open(f"{base}{path}", body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:  # 302 (not followed) and errors
            return error.code, error.read().decode()

    status, _ = post("/inloggen", {"email": email, "password": factories.PASSWORD})
    assert status == 302
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user.needs_two_factor:
        status, _ = post("/inloggen/code", {"code": factories.current_code(user)})
        assert status == 302
    return post


def test_two_reviewers_decide_at_once_over_http(app: Flask, server: str, mailbox) -> None:
    calendar.ensure_statutory_holidays(range(2027, 2028))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2027, 3, 1))
    applications.submit(application, provider, datetime(2027, 3, 1, 9, tzinfo=UTC))
    reviewers = [factories.UserFactory(role=Role.REVIEWER) for _ in range(2)]
    for reviewer in reviewers:
        factories.assign(reviewer, das)
        factories.prepare_for_decision(application, reviewer, datetime(2027, 3, 2, tzinfo=UTC))
    posts = [browser_for(server, r.email) for r in reviewers]
    path = f"/beoordeling/aanmeldingen/{application.id}/besluit"
    forms = []
    for outcome in (LotOutcome.ADMITTED, LotOutcome.REJECTED):
        data = {"version": str(application.version_id), "password": factories.PASSWORD}
        for lot in das.lots:
            data[f"lot{lot.id}_outcome"] = outcome.value
            data[f"lot{lot.id}_reason"] = "Reden"
        forms.append(data)
    barrier = threading.Barrier(2)
    results: list[tuple[int, str]] = []

    def press(index: int) -> None:
        barrier.wait()
        results.append(posts[index](path, forms[index]))

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 302], statuses
    refused = next(body for status, body in results if status == 200)
    assert "Iemand anders heeft deze aanmelding intussen gewijzigd" in refused
    db.session.expire_all()
    decided = db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "application.decided")
    )
    assert decided == 1
