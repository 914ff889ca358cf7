"""Issue 21: the contract register counts what it lists (the count query lost its FROM when no
filter named the agreement table, so an administrator saw "1 raamovereenkomsten" above three rows
and page 2 of 30 agreements was a 404)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AgreementState, Das, FrameworkAgreement, Role
from tests import factories
from tests.support.app import login


def _agreements(das: Das, count: int, state: AgreementState = AgreementState.LIVE) -> list[str]:
    """`count` agreements, newest start first as the register orders them; their references."""
    made = []
    for n in range(count):
        organisation = factories.OrganisationFactory()
        made.append(
            FrameworkAgreement(
                das=das,
                organisation_id=organisation.id,
                reference=f"RO-T-{state.value[:3]}-{das.id}-{n:03d}",
                state=state,
                start_date=date(2026, 1, 1 + n % 28),
                end_date=date(2029, 12, 31),
            )
        )
    db.session.add_all(made)
    db.session.commit()
    return [a.reference for a in sorted(made, key=lambda a: (-a.start_date.toordinal(), a.id))]


@pytest.fixture()
def admin(app: Flask):
    return factories.UserFactory(role=Role.ADMINISTRATOR)


def test_the_unfiltered_count_of_three_says_three(client: FlaskClient, app: Flask, admin) -> None:
    das = factories.DasFactory()
    _agreements(das, 3)
    login(client, admin)
    page = client.get("/contracten/").get_data(as_text=True)
    assert "3 raamovereenkomsten" in page


@pytest.mark.parametrize("filtered", [False, True], ids=["unfiltered", "by-state"])
def test_page_two_of_thirty_shows_the_rest(
    client: FlaskClient, app: Flask, admin, filtered: bool
) -> None:
    das = factories.DasFactory()
    references = _agreements(das, 30)
    # Rows the state filter leaves out, so that the filtered count has something to miss.
    others = _agreements(das, 2, AgreementState.SUSPENDED) if filtered else []
    query = {"state": AgreementState.LIVE.value} if filtered else {}
    login(client, admin)
    first = client.get("/contracten/", query_string=query).get_data(as_text=True)
    total = 30 + (0 if filtered else len(others))
    assert f"{total} raamovereenkomsten" in first
    assert f"1–25 van {total}" in first
    second = client.get("/contracten/", query_string={**query, "pagina": 2})
    assert second.status_code == 200
    text = second.get_data(as_text=True)
    assert f"26–{total} van {total}" in text
    shown = [r for r in references if r in text]
    if filtered:
        assert shown == references[25:] and not any(o in text for o in others)
    else:
        assert len(shown) == 5
    assert client.get("/contracten/", query_string={**query, "pagina": 3}).status_code == 404
