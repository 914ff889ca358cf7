"""A contract manager's year (issue 21), in Chromium: import the providers' turnover from the
municipalities' figures, see the SROI obligations that follow, select the providers for this
year's talks by clients and turnover, and log a development talk with two of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import FilePayload, Page, expect

from portal.extensions import db
from portal.models import Role
from portal.services import calendar, kpis
from tests import factories
from tests.factories import admit
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_a_contract_managers_year(
    app: Flask, live_server: str, new_page: Callable[[], Page]
) -> None:
    calendar.ensure_statutory_holidays(range(2025, 2031))
    db.session.commit()
    this_year = date.today().year
    das = factories.DasFactory(term_start=date(this_year, 1, 1), talks_top_n=2)
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    providers = {}
    for name in ("Zorggroep Maas", "Jeugdhulp De Brug", "Praktijk Het Baken"):
        provider = factories.ProviderUserFactory(organisation__legal_name=name)
        admit(das, provider, date(this_year, 1, 5), live=True)
        providers[name] = provider.organisation
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    page = new_page()
    log_in(page, live_server, manager.email)

    # 1. The turnover of last year, from the municipalities' own figures: a CSV file.
    last_year = this_year - 1
    csv_file = "kvk_nummer;jaar;omzet\n" + "".join(
        f"{providers[name].kvk_number};{last_year};{amount}\n"
        for name, amount in (
            ("Zorggroep Maas", "600.000,00"),
            ("Jeugdhulp De Brug", "300000"),
            ("Praktijk Het Baken", "120000.00"),
        )
    )
    page.goto(f"{live_server}/contracten/das/{das.slug}/sroi-omzet?jaar={this_year}")
    page.get_by_label("Bestand met omzetten").set_input_files(
        files=[FilePayload(name="omzet.csv", mimeType="text/csv", buffer=csv_file.encode())]
    )
    page.get_by_role("button", name="Inlezen").click()
    expect(page.get_by_role("status").first).to_contain_text("3 omzetten zijn ingelezen")

    # 2. The obligations of this year follow from last year's turnover (above EUR 250,000: 5%).
    maas = page.get_by_role("row", name="Zorggroep Maas")
    expect(maas).to_contain_text("30.000,00")
    expect(page.get_by_role("row", name="Jeugdhulp De Brug")).to_contain_text("15.000,00")
    expect(page.get_by_role("row", name="Praktijk Het Baken")).to_contain_text("geen")

    # 3. This year's talks: the top 2 by clients and last year's turnover, selected.
    page.goto(f"{live_server}/contracten/das/{das.slug}/overzicht?jaar={this_year}")
    page.get_by_role("link", name=f"Contractgesprekken {this_year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Contractgesprekken {this_year}")
    ranking = page.get_by_role("table", name=f"Rangschikking op cliënten en omzet {last_year}")
    expect(ranking.get_by_role("row").nth(1)).to_contain_text("Zorggroep Maas")
    expect(ranking.get_by_role("row").nth(2)).to_contain_text("Jeugdhulp De Brug")
    expect(ranking).not_to_contain_text("Praktijk Het Baken")
    selection = page.get_by_role("group", name=f"Geselecteerd voor gesprekken in {this_year}")
    selection.get_by_label("Zorggroep Maas").check()
    selection.get_by_label("Jeugdhulp De Brug").check()
    page.get_by_role("button", name="Selectie opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("2 toegevoegd")
    expect(ranking.get_by_role("row").nth(1)).to_contain_text("Top 2 op cliënten en omzet")

    # 4. A development talk with both at once, held today, and the outcome for one of them.
    page.get_by_label("Soort gesprek").select_option(label="Ontwikkelgesprek")
    page.get_by_label("Onderwerp of voorstel").fill("Ontwikkelopgave: thuisnabije zorg")
    invited = page.get_by_role("group", name="Aanbieders")
    invited.get_by_label("Zorggroep Maas").check()
    invited.get_by_label("Jeugdhulp De Brug").check()
    page.get_by_label("Deelnemers").fill("Beleid, contractmanagement, business control")
    page.get_by_label("Gemaakte afspraken").fill("Samen een plan voor thuisnabije zorg in juni")
    page.get_by_role("button", name="Gesprek opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("Het gesprek is vastgelegd")
    talk = page.get_by_role("region", name="Ontwikkelgesprek")
    expect(talk).to_contain_text("Ontwikkelopgave: thuisnabije zorg")
    providers_table = talk.get_by_role("table", name="Aanbieders en de uitkomst per aanbieder")
    expect(providers_table.get_by_role("row")).to_have_count(3)
    talk.get_by_label("Uitkomst voor Jeugdhulp De Brug").fill("Levert twee gezinshuisplekken")
    talk.get_by_role("button", name="Uitkomst opslaan – Jeugdhulp De Brug").click()
    expect(page.get_by_role("status").first).to_contain_text("De uitkomst is vastgelegd")
    talk = page.get_by_role("region", name="Ontwikkelgesprek")
    expect(talk.get_by_role("row", name="Jeugdhulp De Brug")).to_contain_text(
        "Levert twee gezinshuisplekken"
    )
    # The history of the years: selected 2, one talk held with two providers.
    history = page.get_by_role("row", name=str(this_year)).last
    expect(history).to_contain_text("2")

    # Each provider's agreement page shows the talk, with whom it was held.
    page.get_by_role("link", name="Zorggroep Maas").first.click()
    expect(page.get_by_text("Samen met: Jeugdhulp De Brug")).to_be_visible()
