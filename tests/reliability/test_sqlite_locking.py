"""SQLite, the default database: every connection the app opens runs in WAL mode with a busy
timeout, so a writer that finds another writer busy waits instead of failing with "database is
locked" (portal/__init__.py `_sqlite_pragmas`). Not run on PostgreSQL, which has neither setting."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import Organisation, SizeClass
from tests import factories

# SQLite pragmas (WAL, busy_timeout): PostgreSQL has row locks instead.
pytestmark = pytest.mark.only_sqlite


def test_every_connection_has_wal_and_a_busy_timeout(app: Flask) -> None:
    # A new connection, not one the suite has already used.
    db.engine.dispose()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_a_second_writer_waits_for_the_first(app: Flask) -> None:
    """The first writer holds the write lock for a second; the second writer starts meanwhile
    and commits after it, without an error."""
    holding = threading.Event()
    outcomes: dict[str, Any] = {}
    hold_for = 1.0

    def first() -> None:
        with app.app_context():
            try:
                db.session.add(
                    Organisation(
                        legal_name="Eerste B.V.", kvk_number="90000001", size_class=SizeClass.MICRO
                    )
                )
                db.session.flush()  # takes the write lock
                holding.set()
                time.sleep(hold_for)
                db.session.commit()
                outcomes["first"] = "ok"
            except Exception as error:  # noqa: BLE001 (reported below)
                outcomes["first"] = error
                holding.set()
            finally:
                db.session.remove()

    def second() -> None:
        holding.wait(timeout=10)
        with app.app_context():
            started = time.monotonic()
            try:
                factories.OrganisationFactory(legal_name="Tweede B.V.")
                outcomes["second"] = "ok"
            except Exception as error:  # noqa: BLE001 (reported below)
                outcomes["second"] = error
            finally:
                outcomes["waited"] = time.monotonic() - started
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes["first"] == "ok" and outcomes["second"] == "ok", outcomes
    # It really waited for the lock rather than finding the database free.
    assert outcomes["waited"] >= hold_for / 2, outcomes
    db.session.expire_all()
    names = set(db.session.scalars(db.select(Organisation.legal_name)))
    assert names == {"Eerste B.V.", "Tweede B.V."}


def test_readers_are_not_blocked_by_a_writer(app: Flask) -> None:
    """WAL: a reader sees the last committed state while a write is in progress."""
    factories.OrganisationFactory(legal_name="Bestaand B.V.")
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with app.app_context():
            db.session.add(
                Organisation(
                    legal_name="Nieuw B.V.", kvk_number="90000002", size_class=SizeClass.MICRO
                )
            )
            db.session.flush()
            holding.set()
            release.wait(timeout=10)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        started = time.monotonic()
        with app.app_context():
            names = set(db.session.scalars(db.select(Organisation.legal_name)))
            db.session.remove()
        assert names == {"Bestaand B.V."}
        assert time.monotonic() - started < 1
    finally:
        release.set()
        thread.join(timeout=10)
