"""The pages of a lump-sum agreement (seed 000): the contract manager agrees and indexes the
ceiling, the provider reports the audited result of a year on a form that keeps what was typed,
and a result beyond the 3% valve is a task with its figures on the contract manager's list and
the agreement page."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.models import (
    FrameworkAgreement,
    IndexFigure,
    LumpSumCeiling,
    LumpSumResult,
    Role,
    User,
)
from portal.services import lump_sums
from portal.supplier import lump_sum_views as supplier_views
from tests import factories
from tests.support.app import login

NOW = datetime(2025, 3, 3, 10, tzinfo=UTC)


@dataclass
class World:
    agreement: FrameworkAgreement
    provider: User
    manager: User


@pytest.fixture()
def world(app: Flask, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(supplier_views, "now", lambda: NOW)
    das = factories.DasFactory(term_start=date(2023, 1, 1), initial_end_date=date(2027, 12, 31))
    db.session.add(
        IndexFigure(
            das_id=das.id,
            year=2024,
            ova_prognosis=D("4.94"),
            ppc_prognosis=D("2.51"),
            ova_definitive=None,
            ppc_definitive=None,
        )
    )
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, date(2022, 12, 1), live=True)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    return World(agreement, provider, manager)


def text(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def test_the_contract_manager_agrees_and_indexes_the_ceiling(
    client: FlaskClient, world: World
) -> None:
    login(client, world.manager)
    url = f"/contracten/{world.agreement.id}/lumpsum"
    assert "Plafondbedrag vastleggen (alleen voor een lumpsumovereenkomst)" in text(
        client.get(f"/contracten/{world.agreement.id}")
    )
    # A refusal keeps what was typed.
    refused = client.post(
        f"{url}/plafond", data={"year": "2030", "amount": "1.674.811,00", "reason": ""}
    )
    assert refused.status_code == 200
    page = text(refused)
    assert "Kies een jaar in de looptijd van de overeenkomst: 2023 tot en met 2027." in page
    assert 'value="1.674.811,00"' in page and 'value="2030"' in page
    assert db.session.scalar(db.select(db.func.count(LumpSumCeiling.id))) == 0

    response = client.post(f"{url}/plafond", data={"year": "2023", "amount": "1.674.811,00"})
    assert response.status_code == 302
    page = text(client.get(url))
    assert "€ 1.674.811,00" in page
    # 2024 from the 2024 prognosis alone (0.9 x 4.94 + 0.1 x 2.51 = 4.697%): no definitive 2023
    # figures yet, so the correction of 2023 waits for 2025. 1,674,811.00 x 1.04697.
    assert "Plafondbedrag 2024 indexeren" in page and "€ 1.753.476,87" in page
    response = client.post(f"{url}/indexeren", data={"year": "2024"})
    assert response.status_code == 302
    again = client.post(f"{url}/indexeren", data={"year": "2024"})  # a second click
    assert "Dit jaar is al geïndexeerd" in text(again)
    assert lump_sums.state_of(world.agreement).ceilings[-1].amount_cents == 1_753_476_87
    # The provider sees both as variations of the agreement, and the ceilings on its page.
    login(client, world.provider)
    agreement_page = text(client.get(f"/aanbieder/overeenkomsten/{world.agreement.id}"))
    assert "Plafondbedrag 2023: € 1.674.811,00 (vastgesteld)." in agreement_page
    assert "Plafondbedrag 2024: € 1.753.476,87" in agreement_page
    assert "Plafondbedragen en jaarresultaat melden" in agreement_page


def _with_ceiling(world: World) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, 1_674_811_00, "", NOW)


def test_the_providers_form_keeps_what_was_typed(client: FlaskClient, world: World) -> None:
    _with_ceiling(world)
    login(client, world.provider)
    url = f"/aanbieder/overeenkomsten/{world.agreement.id}/lumpsum"
    form = text(client.get(url))
    assert '<option value="2023">2023</option>' in form  # 2024 has no ceiling; 2025 runs
    data = {"year": "2023", "direction": "negatief", "amount": "12.345", "auditor": "Acc & Co"}
    response = client.post(url, data=data)
    assert response.status_code == 200
    page = text(response)
    assert "Schrijf een bedrag in euro" in page  # "12.345" can be read two ways
    assert 'value="12.345"' in page and 'value="Acc & Co"' in page
    assert (
        'checked id="direction-1" name="direction" required type="radio" value="negatief"' in page
        and '<option selected value="2023">' in page
    )
    missing = text(client.post(url, data={"year": "2023", "amount": "100,00"}))
    assert "Kies of het resultaat positief of negatief was." in missing
    assert "Vul in welke accountant de controleverklaring heeft afgegeven." in missing
    assert 'value="100,00"' in missing
    assert db.session.scalar(db.select(db.func.count(LumpSumResult.id))) == 0


def test_a_result_within_the_valve_is_no_task(client: FlaskClient, world: World) -> None:
    _with_ceiling(world)
    login(client, world.provider)
    url = f"/aanbieder/overeenkomsten/{world.agreement.id}/lumpsum"
    data = {"year": "2023", "direction": "negatief", "amount": "50.244,33", "auditor": "Acc"}
    response = client.post(url, data=data, follow_redirects=True)
    page = text(response)
    assert "Het valt binnen 3% van het plafondbedrag" in page
    assert "€ -50.244,33 (-3%)" in page
    assert "Er is nu geen jaar om te melden" in page
    login(client, world.manager)
    assert "Lumpsumresultaten buiten het ventiel van 3% (0)" in text(
        client.get("/contracten/taken")
    )


def test_a_result_beyond_the_valve_is_a_task_with_the_figures(
    client: FlaskClient, world: World
) -> None:
    _with_ceiling(world)
    login(client, world.provider)
    url = f"/aanbieder/overeenkomsten/{world.agreement.id}/lumpsum"
    data = {"year": "2023", "direction": "positief", "amount": "100.000,00", "auditor": "Acc"}
    page = text(client.post(url, data=data, follow_redirects=True))
    assert "Het valt buiten 3% van het plafondbedrag" in page

    login(client, world.manager)
    tasks = text(client.get("/contracten/taken"))
    assert "Lumpsumresultaten buiten het ventiel van 3% (1)" in tasks
    assert "resultaat 2023 € 100.000,00 bij een plafond van € 1.674.811,00 (5,97%)" in tasks
    assert f'href="/contracten/{world.agreement.id}/lumpsum"' in tasks
    agreement_page = text(client.get(f"/contracten/{world.agreement.id}"))
    assert "valt buiten het ventiel van 3% en wacht op uw beoordeling" in agreement_page

    result = db.session.scalars(db.select(LumpSumResult)).one()
    review_url = f"/contracten/{world.agreement.id}/lumpsum/resultaten/{result.id}/afhandelen"
    refused = client.post(review_url, data={f"r{result.id}-note": ""})
    assert "Schrijf wat de partijen hebben afgesproken." in text(refused)
    done = client.post(review_url, data={f"r{result.id}-note": "Geen wijziging: eenmalig."})
    assert done.status_code == 302
    assert "Lumpsumresultaten buiten het ventiel van 3% (0)" in text(
        client.get("/contracten/taken")
    )
    page = text(client.get(f"/contracten/{world.agreement.id}/lumpsum"))
    assert "Geen wijziging: eenmalig." in page


def test_another_agreements_result_is_not_found(client: FlaskClient, world: World) -> None:
    _with_ceiling(world)
    other_provider = factories.ProviderUserFactory()
    other = factories.admit(world.agreement.das, other_provider, date(2022, 12, 1), live=True)
    lump_sums.agree_ceiling(world.manager, other, 2023, 1_000_000_00, "", NOW)
    result = lump_sums.report_result(
        other_provider, other, 2023, 900_000_00, "Acc", NOW, date(2025, 3, 3)
    )
    login(client, world.manager)
    response = client.post(
        f"/contracten/{world.agreement.id}/lumpsum/resultaten/{result.id}/afhandelen",
        data={f"r{result.id}-note": "Via de verkeerde overeenkomst."},
    )
    assert response.status_code == 404
    assert db.session.get(LumpSumResult, result.id).reviewed_at is None
