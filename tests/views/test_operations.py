"""Operating settings: the Server-Timing/X-Query-Count headers (SERVER_TIMING, for `make bench`)
and the reverse-proxy setting (PROXY_COUNT)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from portal import create_app
from portal.extensions import db
from portal.infra.instrumentation import NOISE
from tests import factories


@pytest.fixture()
def make_app(app: Flask) -> Iterator[Any]:
    """Another app on the test database, with some settings changed."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        other = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "operations",
                "DATABASE_URL": app.config["DATABASE_URL"],
                "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
                "SESSION_COOKIE_SECURE": False,
                **settings,
            }
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_no_timing_headers_unless_asked(app: Flask) -> None:
    response = app.test_client().get("/")
    assert "X-Query-Count" not in response.headers
    assert "Server-Timing" not in response.headers


def test_timing_headers_count_the_queries_a_page_runs(make_app: Any) -> None:
    das = factories.DasFactory()
    db.session.commit()
    timed = make_app(SERVER_TIMING=True)
    client = timed.test_client()
    assert client.get("/healthz").headers["X-Query-Count"] == "0"
    client.get(f"/das/{das.slug}")
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(NOISE):
            seen.append(statement)

    with timed.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/das/{das.slug}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert int(response.headers["X-Query-Count"]) == len(seen) > 0
    timing = response.headers["Server-Timing"]
    assert timing.startswith("app;dur=") and f'desc="{len(seen)} SQL"' in timing


@pytest.mark.parametrize(("proxies", "hsts"), [(0, False), (1, True)])
def test_the_forwarded_scheme_counts_only_behind_a_configured_proxy(
    make_app: Any, proxies: int, hsts: bool
) -> None:
    """HSTS is sent over HTTPS only. Behind a proxy that ends TLS, the portal learns the scheme
    from X-Forwarded-Proto, but only when PROXY_COUNT says a proxy is there: otherwise any
    client could claim anything."""
    served = make_app(PROXY_COUNT=proxies)
    response = served.test_client().get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert ("Strict-Transport-Security" in response.headers) is hsts
