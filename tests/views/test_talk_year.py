"""The DAS's year of contract talks (issue 21): the selection for a year from the ranking, a
talk with several providers, the outcome per provider on each provider's agreement page."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import ContractTalk, Role, TalkKind, TalkSelection
from portal.services import kpis
from tests import factories
from tests.factories import at
from tests.support.app import login


def _world(talks_top_n: int = 2):
    das = factories.DasFactory(talks_top_n=talks_top_n)
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    definitions = {d.code: d for d in kpis.definitions_of(das.id)}
    agreements = []
    for letter, turnover in (("A", 300_000), ("B", 50_000), ("C", 500_000)):
        provider = factories.ProviderUserFactory(organisation__legal_name=f"Zorg {letter}")
        agreement = factories.admit(das, provider, date(2026, 1, 5), live=True)
        kpis.report(
            provider,
            agreement,
            [kpis.Figure(definitions[kpis.TURNOVER], date(2026, 1, 1), Decimal(turnover))],
            "",
            date(2026, 4, 20),
            at(date(2026, 4, 20)),
        )
        agreements.append(agreement)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    return das, agreements, manager


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_select_the_top_for_a_year_on_last_years_figures(app: Flask, client: FlaskClient) -> None:
    das, (a, b, c), manager = _world()
    login(client, manager)
    url = f"/contracten/das/{das.slug}/gesprekken"
    page = _text(client.get(f"{url}?jaar=2027"))
    assert "Contractgesprekken 2027" in page
    # The ranking of 2026's figures: C then A (top 2), B not in it.
    ranking = page[page.index("Rangschikking op cliënten en omzet 2026") :]
    assert ranking.index("Zorg C") < ranking.index("Zorg A") and "Zorg B" not in ranking[:2000]
    # The year navigation runs over the DAS's term only.
    years = re.findall(r"gesprekken\?jaar=(\d{4})", page)
    assert sorted({int(y) for y in years}) == [2026, 2027, 2028, 2029]
    # Tick both, with the proposed reason.
    response = client.post(
        f"{url}/selectie?jaar=2027&basis=2026",
        data={"selected": [str(c.id), str(a.id)], "reason": "Top 2 op cliënten en omzet (2026)"},
    )
    assert response.status_code == 302
    assert kpis.selection_of(a, 2027).reason == "Top 2 op cliënten en omzet (2026)"
    assert kpis.selection_of(a, 2026) is None  # another year is another selection
    page = _text(client.get(f"{url}?jaar=2027"))
    assert "Top 2 op cliënten en omzet (2026)" in page
    # Untick A, newly tick nothing: A goes, C keeps its reason.
    client.post(f"{url}/selectie?jaar=2027", data={"selected": [str(c.id)], "reason": ""})
    db.session.expire_all()
    assert kpis.selection_of(a, 2027) is None and kpis.selection_of(c, 2027) is not None
    # A provider not on the form (B, outside the top) cannot be ticked through it.
    page = _text(
        client.post(f"{url}/selectie?jaar=2027", data={"selected": [str(b.id)], "reason": "X"})
    )
    assert "Er is een probleem" in page
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(TalkSelection).where(TalkSelection.year == 2027)
        )
        == 1
    )


def test_a_group_talk_planned_held_and_its_outcome_per_provider(
    app: Flask, client: FlaskClient
) -> None:
    das, (a, b, c), manager = _world()
    login(client, manager)
    today = date.today()
    url = f"/contracten/das/{das.slug}/gesprekken"
    future = today + timedelta(days=10)
    talk = {
        "kind": "account",
        "held_on": future.isoformat(),
        "topic": "Ontwikkelopgave: thuisnabije zorg",
        "providers": [str(a.id), str(b.id)],
        "participants": "Beleid, contractmanagement",
    }
    # An account talk is with one provider: refused, everything typed kept.
    page = _text(client.post(f"{url}/nieuw?jaar={today.year}", data=talk))
    assert "Een account-/contractgesprek is met één aanbieder" in page
    assert "Ontwikkelopgave: thuisnabije zorg" in page
    assert re.search(rf'value="{a.id}"[^>]*checked|checked[^>]*value="{a.id}"', page)
    assert db.session.scalar(db.select(db.func.count()).select_from(ContractTalk)) == 0
    response = client.post(f"{url}/nieuw?jaar={today.year}", data={**talk, "kind": "development"})
    assert response.status_code == 302
    planned = db.session.scalar(db.select(ContractTalk))
    page = _text(client.get(f"{url}?jaar={future.year}"))
    assert "Uitgenodigde aanbieders" in page and "uitgenodigd" in page
    # Both agreements' pages show it, with whom; C's does not.
    for mine, other in ((a, "Zorg B"), (b, "Zorg A")):
        dashboard = _text(client.get(f"/contracten/{mine.id}/kpi"))
        assert "Ontwikkelopgave: thuisnabije zorg" in dashboard
        assert f"Samen met: {other}" in dashboard
    assert "thuisnabije" not in _text(client.get(f"/contracten/{c.id}/kpi"))

    # Held: the report, then the outcome for B.
    client.post(
        f"{url}/{planned.id}/verslag",
        data={"held_on": today.isoformat(), "agreements_made": "Plan in juni"},
    )
    refused = _text(client.post(f"{url}/{planned.id}/uitkomst/{b.id}", data={"outcome": " "}))
    assert "Vul de uitkomst voor deze aanbieder in." in refused
    client.post(f"{url}/{planned.id}/uitkomst/{b.id}", data={"outcome": "B levert 2 plekken"})
    assert "Uitkomst voor deze aanbieder: B levert 2 plekken" in _text(
        client.get(f"/contracten/{b.id}/kpi")
    )
    assert "B levert 2 plekken" not in _text(client.get(f"/contracten/{a.id}/kpi"))
    # C was not invited: no outcome for it.
    assert (
        client.post(
            f"{url}/{planned.id}/uitkomst/{c.id}", data={"outcome": "Ingeslopen"}
        ).status_code
        == 200
    )
    db.session.expire_all()
    assert {p.agreement_id: p.outcome for p in kpis.talks_of(a)[0].providers} == {
        a.id: "",
        b.id: "B levert 2 plekken",
    }
    # The history counts the talk in its year.
    page = _text(client.get(f"{url}?jaar={today.year}"))
    assert "Gesprekken per jaar" in page


def test_another_das_talk_or_provider_is_not_found(app: Flask, client: FlaskClient) -> None:
    das, (a, _b, _c), manager = _world()
    other, (x, y, _z), _other_manager = _world()
    talk = kpis.log_group_talk(
        manager,
        das,
        [a],
        TalkKind.ACCOUNT,
        date(2026, 3, 1),
        "",
        "CM",
        "Afspraken",
        {},
        [],
        date(2026, 3, 2),
    )
    login(client, manager)
    # The other DAS's providers are not among this DAS's choices; its talks are not found here.
    page = _text(
        client.post(
            f"/contracten/das/{das.slug}/gesprekken/nieuw",
            data={
                "kind": "development",
                "held_on": "2026-03-01",
                "providers": [str(a.id), str(x.id)],
                "participants": "CM",
                "agreements_made": "X",
            },
        )
    )
    assert "Er is een probleem" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ContractTalk)) == 1
    # The manager of this DAS only: the other DAS is not theirs.
    assert client.get(f"/contracten/das/{other.slug}/gesprekken").status_code == 404
    assert (
        client.post(
            f"/contracten/das/{other.slug}/gesprekken/{talk.id}/uitkomst/{a.id}",
            data={"outcome": "X"},
        ).status_code
        == 404
    )
    assert y.id  # the other DAS has providers of its own
