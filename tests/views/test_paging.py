"""Lists that grow with the data are paged: page 2 shows the next rows, a page past
the end is a 404, a number that is not a page is page 1, and filters survive paging."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AgreementState, EvidenceType, Role
from portal.services import calendar, kpis
from tests import factories
from tests.factories import admit, at
from tests.support.app import login


@pytest.fixture()
def das(app: Flask, monkeypatch: pytest.MonkeyPatch):
    calendar.ensure_statutory_holidays(range(2024, 2028))
    db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    return factories.DasFactory(term_start=date(2024, 1, 1))


def _pager_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="pagination".*?</nav>', page, re.S)
    assert nav is not None, "no pager"
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', nav.group(0))]


def test_public_providers_are_paged_alphabetically_and_keep_the_lot_filter(
    client: FlaskClient, das
) -> None:
    lot_one, lot_two = das.lots
    names = ["Delta Zorg", "alfa Jeugd", "Charlie Hulp", "Bravo Wonen"]
    for name in names:
        admit(
            das,
            factories.ProviderUserFactory(organisation__legal_name=name),
            date(2024, 1, 8),
            lots=[lot_one],
        )
    admit(
        das,
        factories.ProviderUserFactory(organisation__legal_name="Echo Vervoer"),
        date(2024, 1, 8),
        lots=[lot_two],
    )
    url = f"/das/{das.slug}/aanbieders"

    def shown(query: dict[str, object]) -> list[str]:
        page = client.get(url, query_string=query).get_data(as_text=True)
        return [n for n in sorted([*names, "Echo Vervoer"], key=page.find) if n in page]

    # Alphabetical regardless of case, two to a page.
    assert shown({}) == ["alfa Jeugd", "Bravo Wonen"]
    assert shown({"pagina": 2}) == ["Charlie Hulp", "Delta Zorg"]
    assert shown({"pagina": 3}) == ["Echo Vervoer"]
    assert client.get(url, query_string={"pagina": 4}).status_code == 404
    assert shown({"pagina": "x"}) == shown({"pagina": 0}) == shown({})

    first = client.get(url, query_string={"perceel": lot_one.id}).get_data(as_text=True)
    assert "1–2 van 4" in first and 'aria-current="page"' in first
    links = _pager_links(first)
    assert all(f"perceel={lot_one.id}" in link for link in links)
    second = client.get(next(link for link in links if "pagina=2" in link)).get_data(as_text=True)
    assert "Charlie Hulp" in second and "Delta Zorg" in second and "Echo Vervoer" not in second
    assert client.get(url, query_string={"perceel": lot_one.id, "pagina": 3}).status_code == 404

    # The DAS page itself counts, and links to each lot's list.
    das_page = client.get(f"/das/{das.slug}").get_data(as_text=True)
    assert "alfa Jeugd" not in das_page
    assert f"/das/{das.slug}/aanbieders?perceel={lot_one.id}" in das_page

    notices = client.get(f"/das/{das.slug}/gunningen").get_data(as_text=True)
    assert "2024 K1" in notices and "1–2 van 5" in notices


def test_provider_documents_are_paged_newest_first(client: FlaskClient, das) -> None:
    provider = factories.ProviderUserFactory()
    uploaded = []
    for n in range(3):
        document = factories.upload_pdf(provider, EvidenceType.INSURANCE_POLICY, date(2025, 1, 1))
        document.filename = f"polis-{n}.pdf"
        uploaded.append(document)
    db.session.commit()
    login(client, provider)
    first = client.get("/aanbieder/documenten").get_data(as_text=True)
    assert "polis-2.pdf" in first and "polis-1.pdf" in first and "polis-0.pdf" not in first
    assert "1–2 van 3" in first
    second = client.get("/aanbieder/documenten?pagina=2").get_data(as_text=True)
    assert "polis-0.pdf" in second and "polis-2.pdf" not in second
    assert 'rel="prev"' in second and "3–3 van 3" in second
    assert client.get("/aanbieder/documenten?pagina=3").status_code == 404
    # The way back to an application survives paging.
    back = f"/aanbieder/aanmeldingen/{uploaded[0].id}"
    kept = client.get("/aanbieder/documenten", query_string={"terug": back}).get_data(as_text=True)
    assert all(parse_qs(urlsplit(link).query)["terug"] == [back] for link in _pager_links(kept))


def test_expiring_documents_on_the_dashboard(client: FlaskClient, das) -> None:
    provider = factories.ProviderUserFactory()
    today = date.today()
    for name, kind, issued, expires in (
        ("soon.pdf", EvidenceType.INSURANCE_POLICY, date(2020, 1, 1), today + timedelta(days=10)),
        ("later.pdf", EvidenceType.INSURANCE_POLICY, date(2020, 1, 1), today + timedelta(days=400)),
        ("lapsed.pdf", EvidenceType.INSURANCE_POLICY, date(2020, 1, 1), today - timedelta(days=1)),
        # A KvK extract counts 6 months from its issue date.
        ("kvk-soon.pdf", EvidenceType.KVK_EXTRACT, today - timedelta(days=170), None),
        ("kvk-fresh.pdf", EvidenceType.KVK_EXTRACT, today, None),
    ):
        document = factories.upload_pdf(provider, kind, issued, expires)
        document.filename = name
    db.session.commit()
    login(client, provider)
    page = client.get("/aanbieder/").get_data(as_text=True)
    notice = page.split("Documenten die binnenkort verlopen")[1].split("</div>")[0]
    assert "soon.pdf" in notice and "kvk-soon.pdf" in notice
    assert "later.pdf" not in notice and "lapsed.pdf" not in notice and "kvk-fresh" not in notice


def test_contract_register_paging_keeps_the_filters(client: FlaskClient, das) -> None:
    agreements = [admit(das, factories.ProviderUserFactory(), date(2024, 1, 8)) for _ in range(3)]
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    agreements[0].state = AgreementState.ENDED
    db.session.commit()
    login(client, admin)
    query = {"state": AgreementState.AWAITING_SIGNATURE.value, "das": das.id}
    first = client.get("/contracten/", query_string=query).get_data(as_text=True)
    assert "1–2 van 2" in first or "Pagina" not in first  # two awaiting signature: one page
    references = [a.reference for a in agreements[1:]]
    assert all(r in first for r in references) and agreements[0].reference not in first
    everything = client.get("/contracten/", query_string={"das": das.id}).get_data(as_text=True)
    links = _pager_links(everything)
    assert "1–2 van 3" in everything and all(f"das={das.id}" in link for link in links)
    assert client.get("/contracten/", query_string={"das": das.id, "pagina": 3}).status_code == 404


def test_review_timeline_and_kpi_corrections_are_paged(client: FlaskClient, das) -> None:
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2024, 1, 8))
    definition = next(d for d in kpis.definitions_of(das.id) if d.code == "CLIENTS")
    for n in range(4):  # the first report, then three corrections
        kpis.report(
            provider,
            agreement,
            [kpis.Figure(definition, date(2024, 1, 1), Decimal(n + 10))],
            f"Correctie {n}" if n else "",
            date(2026, 6, 1),
            at(date(2026, 6, 1)),
        )
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    login(client, manager)
    url = f"/contracten/{agreement.id}/kpi"
    first = client.get(url).get_data(as_text=True).split("Eerdere, gecorrigeerde waarden")[1]
    # The latest earlier value (12) first; 10 only on page 2.
    assert "12" in first.split("</table>")[0] and "1–2 van 3" in first
    assert all("correcties=" in link for link in _pager_links(first))
    second = client.get(url, query_string={"correcties": 2}).get_data(as_text=True)
    assert "3–3 van 3" in second
    assert client.get(url, query_string={"correcties": 3}).status_code == 404

    # The agreement's history: newest first, two to a page, numbered as in the whole list.
    history = client.get(f"/contracten/{agreement.id}").get_data(as_text=True)
    assert 'reversed start="' in history and "tijdlijn=2" in history

    # The application's timeline on the review page, with the other pager's page kept.
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    login(client, reviewer)
    review_url = f"/beoordeling/aanmeldingen/{agreement.lots[0].application_id}"
    page = client.get(review_url).get_data(as_text=True).split('id="tijdlijn"')[1]
    links = _pager_links(page)
    assert links and all("tijdlijn=" in link for link in links)
    events = re.findall(r"<li><time", page.split("</ol>")[0])
    assert len(events) == 2
    last = max(int(parse_qs(urlsplit(link).query)["tijdlijn"][0]) for link in links)
    assert client.get(review_url, query_string={"tijdlijn": last}).status_code == 200
    assert client.get(review_url, query_string={"tijdlijn": last + 1}).status_code == 404
