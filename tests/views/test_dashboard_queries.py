"""The provider's dashboard reads a draft's products with every other draft's (found by `make
bench` at scale 1: one query per draft, for the task list of each)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask import Flask
from sqlalchemy import event

from portal.extensions import db
from tests import factories
from tests.support.app import login

TODAY = date(2026, 11, 2)


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_more_drafts_cost_no_more_queries(app: Flask) -> None:
    provider = factories.ProviderUserFactory()
    factories.complete_draft(factories.DasFactory(), provider, TODAY)
    db.session.commit()
    client = app.test_client()
    login(client, provider)
    client.get("/aanbieder/")  # the first visit warms what is cached per process
    with counting() as one_draft:
        assert client.get("/aanbieder/").status_code == 200
    for _ in range(3):
        factories.complete_draft(factories.DasFactory(), provider, TODAY)
    db.session.commit()
    with counting() as four_drafts:
        assert client.get("/aanbieder/").status_code == 200
    assert len(four_drafts) == len(one_draft), "\n".join(four_drafts)


def test_the_dashboard_of_an_admitted_provider_with_a_draft_stays_within_the_cap(
    app: Flask,
) -> None:
    """Found by `make bench` at scale 1: 16 queries. The signed-in user's organisation now comes
    with the user (portal.services.user_sessions.signed_in_user)."""
    provider = factories.ProviderUserFactory()
    factories.admit(factories.DasFactory(), provider, date(2026, 10, 1), live=True)
    factories.complete_draft(factories.DasFactory(), provider, TODAY)
    db.session.commit()
    client = app.test_client()
    login(client, provider)
    client.get("/aanbieder/")  # the first visit warms what is cached per process
    with counting() as statements:
        assert client.get("/aanbieder/").status_code == 200
    assert len(statements) <= 15, "\n".join(statements)
    assert not any(s.lstrip().startswith("SELECT organisation.id") for s in statements)
