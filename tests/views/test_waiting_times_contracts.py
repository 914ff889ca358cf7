"""Contract managers and the waiting-time register (issue 23): a provider's history beside its KPIs,
and which providers of a DAS have not updated."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AgreementState, Role
from tests import factories
from tests.factories import add_waiting_time
from tests.support.app import login

DAY = date(2026, 3, 2)


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
def das_with_providers(app: Flask):
    das = factories.DasFactory()

    def provider(name: str):
        user = factories.ProviderUserFactory(
            organisation=factories.OrganisationFactory(legal_name=name)
        )
        return factories.admit(das, user, DAY, live=True)

    current, outdated, silent = provider("Actueel BV"), provider("Oud BV"), provider("Stil BV")
    lot1, lot2 = das.lots
    add_waiting_time(current, lot1, _now() - timedelta(days=70), intake=12, treatment=16)
    add_waiting_time(current, lot1, _now() - timedelta(days=35), intake=8, treatment=10)
    add_waiting_time(
        current, lot1, _now() - timedelta(days=5), intake=8, treatment=10, confirmed=True
    )
    add_waiting_time(outdated, lot2, _now() - timedelta(days=31), intake=3)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    return das, current, outdated, silent, manager


def test_history_shows_how_waiting_times_moved(client: FlaskClient, das_with_providers) -> None:
    das, current, _outdated, _silent, manager = das_with_providers
    login(client, manager)
    page = client.get(f"/contracten/{current.id}/wachttijden").get_data(as_text=True)
    assert "Wachttijden van Actueel BV" in page
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    assert [cell for cell in ("12", "8") if f"<td>{cell}</td>" in table] == ["12", "8"]
    assert table.index("<td>12</td>") < table.index("<td>8</td>")
    assert "ongewijzigd bevestigd" in table and table.count("bijgewerkt door") == 2
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page  # three reports: a chart
    assert "verouderd" not in table
    # Beside the KPIs: the dashboard and the agreement page link here.
    link = f'href="/contracten/{current.id}/wachttijden"'
    assert link in client.get(f"/contracten/{current.id}/kpi").get_data(as_text=True)
    assert link in client.get(f"/contracten/{current.id}").get_data(as_text=True)


def test_history_of_a_provider_without_entries(client: FlaskClient, das_with_providers) -> None:
    _das, _current, outdated, silent, manager = das_with_providers
    login(client, manager)
    page = client.get(f"/contracten/{silent.id}/wachttijden").get_data(as_text=True)
    assert "nog geen wachttijden opgegeven" in page
    page = client.get(f"/contracten/{outdated.id}/wachttijden").get_data(as_text=True)
    assert "verouderd" in page


def test_overview_lists_who_has_not_updated(client: FlaskClient, das_with_providers) -> None:
    das, current, outdated, silent, manager = das_with_providers
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/wachttijden").get_data(as_text=True)
    assert "2 aanbieders hebben de wachttijden niet bijgewerkt" in page
    assert "Actueel BV" not in page
    assert page.index("Stil BV") < page.index("Oud BV")  # nothing reported comes first
    assert "geen opgave" in page
    since = (_now() - timedelta(days=31) + timedelta(days=30)).strftime("%d-%m-%Y")
    assert f"sinds {since}" in page
    assert f'href="/contracten/{silent.id}/wachttijden"' in page
    everyone = client.get(f"/contracten/das/{das.slug}/wachttijden?alle=1").get_data(as_text=True)
    assert "Actueel BV" in everyone and "3 aanbieders met een lopende overeenkomst" in everyone
    overview = client.get(f"/contracten/das/{das.slug}/overzicht").get_data(as_text=True)
    assert f'href="/contracten/das/{das.slug}/wachttijden"' in overview


def test_overview_counts_only_live_agreements(client: FlaskClient, das_with_providers) -> None:
    das, _current, outdated, _silent, manager = das_with_providers
    outdated.state = AgreementState.SUSPENDED
    db.session.commit()
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/wachttijden").get_data(as_text=True)
    assert "1 aanbieder heeft de wachttijden niet bijgewerkt" in page and "Oud BV" not in page


def test_everyone_up_to_date(client: FlaskClient, das_with_providers) -> None:
    das, _current, outdated, silent, manager = das_with_providers
    add_waiting_time(outdated, das.lots[1], _now(), intake=2)
    add_waiting_time(silent, das.lots[0], _now(), intake=2)
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/wachttijden").get_data(as_text=True)
    assert "Alle aanbieders met een lopende overeenkomst hebben hun wachttijden" in page


def test_another_das_manager_and_providers_see_nothing(
    client: FlaskClient, das_with_providers
) -> None:
    das, current, _outdated, _silent, _manager = das_with_providers
    elsewhere = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(elsewhere, factories.DasFactory())
    login(client, elsewhere)
    assert client.get(f"/contracten/{current.id}/wachttijden").status_code == 404
    assert client.get(f"/contracten/das/{das.slug}/wachttijden").status_code == 404
    provider = db.session.get(type(current), current.id).organisation.users[0]
    login(client, provider)
    assert client.get(f"/contracten/{current.id}/wachttijden").status_code == 403
    assert client.get(f"/contracten/das/{das.slug}/wachttijden").status_code == 403
    client.post("/uitloggen")
    response = client.get(f"/contracten/{current.id}/wachttijden")
    assert response.status_code == 302 and "/inloggen" in response.location
