"""Per-request figures for benchmarks and diagnosis: the SQL statements a request ran and the time
it spent in the app and in the database, as `Server-Timing` and `X-Query-Count` response headers
(https://www.w3.org/TR/server-timing/). Only when SERVER_TIMING is on: the figures tell an
outsider something about the data behind a page.

`make bench` reads these headers to report the queries per page under load; the statement count
is the same one tests/test_query_counts.py checks (transaction bookkeeping left out).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Transaction bookkeeping is not a query a page chose to run.
NOISE = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


def _before_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if has_request_context() and "portal_timing" in g:
        g.portal_query_started = time.perf_counter()


def _after_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if not (has_request_context() and "portal_timing" in g):
        return
    timing = g.portal_timing
    started = g.pop("portal_query_started", None)
    if started is not None:
        timing["db"] += time.perf_counter() - started
    if not statement.lstrip().upper().startswith(NOISE):
        timing["queries"] += 1


def register_timing(app: Flask, engine: Engine) -> None:
    if not app.config.get("SERVER_TIMING"):
        return
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "after_cursor_execute", _after_execute)

    @app.before_request
    def _start() -> None:
        g.portal_timing = {"start": time.perf_counter(), "db": 0.0, "queries": 0}

    @app.after_request
    def _report(response: Response) -> Response:
        timing = g.get("portal_timing")
        if timing is None:
            return response
        total_ms = (time.perf_counter() - timing["start"]) * 1000
        response.headers["X-Query-Count"] = str(timing["queries"])
        response.headers["Server-Timing"] = (
            f'app;dur={total_ms:.1f}, db;dur={timing["db"] * 1000:.1f};desc="{timing["queries"]} SQL"'
        )
        return response
