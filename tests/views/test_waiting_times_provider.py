"""The provider's waiting-time page (issue 23): one row per lot prefilled from what counts, rows
per municipality, subregion or product, the confirmation in one click, outdated entries marked,
refusals that keep what was typed, and nobody else's register."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.infra.timeutil import now
from portal.models import AgreementState, AuthorityKind, WaitingTime
from portal.services import calendar, waiting_times
from portal.services.waiting_times import EntryInput
from tests import factories
from tests.factories import admit
from tests.support.app import login


@pytest.fixture()
def provider_register(app: Flask):
    """A DAS for a subregion's municipality and one more, a provider live on both lots:
    (das, provider, agreement, subregion, municipality)."""
    calendar.ensure_statutory_holidays(range(2026, 2028))
    db.session.commit()
    das = factories.DasFactory()
    west = factories.AuthorityFactory(
        name="Midden-Limburg West", kind=AuthorityKind.SUBREGION, cbs_code=None
    )
    weert = factories.AuthorityFactory(name="Weert", parent=west)
    das.authorities = [weert, factories.AuthorityFactory(name="Roermond")]
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2026, 3, 2), live=True)
    return das, provider, agreement, west, weert  # fmt: skip


def url(agreement) -> str:
    return f"/aanbieder/overeenkomsten/{agreement.id}/wachttijden"


def current(agreement) -> list[tuple[str, int | None, int | None, int, int, bool, str]]:
    return [
        (e.lot.code, e.product_id, e.authority_id, e.weeks_to_intake, e.weeks_to_treatment,
         e.accepts_new_clients, e.note)
        for e in waiting_times.current_entries(agreement)
    ]  # fmt: skip


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_small_provider_fills_in_its_lots_and_one_municipality(
    app: Flask, client: FlaskClient, provider_register
) -> None:
    das, provider, agreement, west, weert = provider_register
    one, two = das.lots
    login(client, provider)
    # Found from the agreement and the dashboard, where an empty register asks for attention.
    assert url(agreement) in client.get(f"/aanbieder/overeenkomsten/{agreement.id}").get_data(
        as_text=True
    )
    dashboard = text(client.get("/aanbieder/"))
    assert "Wachttijden bijwerken" in dashboard and url(agreement) in dashboard
    page = text(client.get(url(agreement)))
    # One row per lot for the whole region, each field with its own label.
    for lot in (one, two):
        assert f'id="lot{lot.id}-intake"' in page
        label = f"Weken tot intake, Perceel {lot.code} {lot.name}, hele regio"
        assert f'<label class="visually-hidden" for="lot{lot.id}-intake">{label}</label>' in page
    assert "Ongewijzigd bevestigen" not in page  # nothing to confirm yet
    # Subregions and municipalities of the DAS to choose from; a product of a lot.
    assert f'<option value="{west.id}">Midden-Limburg West (subregio)</option>' in page
    assert f'<option value="product:{one.products[0].id}">' in page
    response = client.post(
        url(agreement),
        data={
            f"lot{one.id}-intake": "4",
            f"lot{one.id}-treatment": "9",
            f"lot{one.id}-accepts": "ja",
            f"lot{one.id}-note": "Spoed: bel ons.",
            # Lot 2 left empty: not in the register.
            "new1-scope": f"product:{one.products[0].id}",
            "new1-authority": str(weert.id),
            "new1-intake": "1",
            "new1-treatment": "2",
            "new1-accepts": "nee",
        },
    )
    assert response.status_code == 302
    assert current(agreement) == [
        ("1", None, None, 4, 9, True, "Spoed: bel ons."),
        ("1", one.products[0].id, weert.id, 1, 2, False, ""),
    ]
    page = text(client.get(url(agreement)))
    assert "Uw wachttijden zijn opgeslagen." in page
    # Prefilled from what counts now, and confirmable in one step.
    assert f'name="lot{one.id}-intake" value="4"' in page
    entry_id = waiting_times.current_entries(agreement)[1].id
    assert f'name="entry{entry_id}-treatment" value="2"' in page
    assert re.search(r'<option value="nee" selected>Nee</option>', page)
    assert "Ongewijzigd bevestigen" in page
    assert "Wachttijden bijwerken" not in text(client.get("/aanbieder/"))


def test_a_refused_form_keeps_what_was_typed_and_says_what_to_fix(
    app: Flask, client: FlaskClient, provider_register
) -> None:
    das, provider, agreement, _west, weert = provider_register
    one, two = das.lots
    login(client, provider)
    typed = {
        f"lot{one.id}-intake": "zes",
        f"lot{one.id}-treatment": "9",
        f"lot{one.id}-note": "Wij bellen terug",
        f"lot{two.id}-intake": "8",
        f"lot{two.id}-treatment": "3",
        "new1-intake": "2",
        "new1-treatment": "4",
        "new1-authority": str(weert.id),
        "new2-scope": f"lot:{two.id}",
        "new2-intake": "500",
        "new2-treatment": "501",
    }
    response = client.post(url(agreement), data=typed)
    assert response.status_code == 200
    page = text(response)
    assert "Er is niets opgeslagen" in page
    assert "Vul een heel aantal weken in" in page
    assert "De wachttijd tot de behandeling kan niet korter zijn dan die tot de intake." in page
    assert "Kies een perceel of product." in page
    assert "Vul een aantal weken in van 0 tot en met 104." in page
    # Each error links to its field and is repeated there.
    for field in (f"lot{one.id}-intake", f"lot{two.id}-treatment", "new1-scope", "new2-intake"):
        assert f'href="#{field}"' in page
        assert f'aria-describedby="{field}-error"' in page
    # What was typed is still there.
    assert f'name="lot{one.id}-intake" value="zes"' in page
    assert "Wij bellen terug</textarea>" in page
    assert f'<option value="{weert.id}" selected>' in page
    assert f'<option value="lot:{two.id}" selected>' in page
    assert current(agreement) == []


def test_a_tampered_row_is_refused(app: Flask, client: FlaskClient, provider_register) -> None:
    das, provider, agreement, _west, _weert = provider_register
    elsewhere = factories.AuthorityFactory(name="Maastricht")
    foreign = factories.DasFactory()
    login(client, provider)
    for scope, authority, expected in (
        (f"product:{foreign.lots[0].products[0].id}", "", "Kies een perceel of product."),
        (f"lot:{foreign.lots[0].id}", "", "Dit perceel hoort niet (meer) bij uw overeenkomst."),
        (f"lot:{das.lots[0].id}", str(elsewhere.id), "Deze gemeente of subregio hoort niet"),
        (f"lot:{das.lots[0].id}", "weert", "Kies een gemeente of subregio."),
    ):
        response = client.post(
            url(agreement),
            data={
                "new1-scope": scope,
                "new1-authority": authority,
                "new1-intake": "1",
                "new1-treatment": "1",
            },
        )
        assert response.status_code == 200
        assert expected in text(response)
    assert current(agreement) == []


def test_nothing_typed_is_refused(app: Flask, client: FlaskClient, provider_register) -> None:
    _das, provider, agreement, _west, _weert = provider_register
    login(client, provider)
    response = client.post(url(agreement), data={})
    assert response.status_code == 200
    assert "Vul ten minste één wachttijd in." in text(response)


def test_confirm_unchanged_and_outdated_entries(
    app: Flask, client: FlaskClient, provider_register
) -> None:
    das, provider, agreement, _west, weert = provider_register
    one = das.lots[0]
    login(client, provider)
    response = client.post(f"{url(agreement)}/bevestigen")
    assert response.status_code == 200
    assert "Er zijn nog geen wachttijden om te bevestigen" in text(response)
    long_ago = now() - timedelta(days=45)
    waiting_times.update(
        provider,
        agreement,
        [
            EntryInput(one.id, None, None, 3, 5, True),
            EntryInput(one.id, None, weert.id, 1, 1, True),
        ],
        long_ago,
    )
    page = text(client.get(url(agreement)))
    assert page.count("verouderd</strong>") == 2
    assert "2 wachttijden zijn verouderd." in page
    assert "Wachttijden bijwerken" in text(client.get("/aanbieder/"))
    response = client.post(f"{url(agreement)}/bevestigen")
    assert response.status_code == 302
    page = text(client.get(url(agreement)))
    assert "U heeft bevestigd dat uw wachttijden niet zijn veranderd (2)." in page
    assert "verouderd</strong>" not in page
    assert [e.confirmed_unchanged for e in waiting_times.current_entries(agreement)] == [True, True]


def test_a_row_per_municipality_can_be_removed(
    app: Flask, client: FlaskClient, provider_register
) -> None:
    das, provider, agreement, _west, weert = provider_register
    one = das.lots[0]
    waiting_times.update(
        provider,
        agreement,
        [
            EntryInput(one.id, None, None, 3, 5, True),
            EntryInput(one.id, None, weert.id, 1, 1, True),
        ],
        now(),
    )
    whole, municipal = waiting_times.current_entries(agreement)
    login(client, provider)
    response = client.post(
        url(agreement),
        data={
            f"lot{one.id}-intake": "3",
            f"lot{one.id}-treatment": "5",
            f"entry{municipal.id}-intake": "1",
            f"entry{municipal.id}-treatment": "1",
            f"entry{municipal.id}-remove": "y",
        },
    )
    assert response.status_code == 302
    assert current(agreement) == [("1", None, None, 3, 5, True, "")]
    # A cleared row that counts is not silently kept or dropped: the form asks.
    response = client.post(
        url(agreement), data={f"lot{one.id}-intake": "", f"lot{one.id}-treatment": ""}
    )
    assert response.status_code == 200 and "Vul een heel aantal weken in" in text(response)


def test_another_providers_register_is_not_found(
    app: Flask, client: FlaskClient, provider_register
) -> None:
    das, _provider, agreement, _west, _weert = provider_register
    stranger = factories.ProviderUserFactory()
    login(client, stranger)
    one = das.lots[0]
    assert client.get(url(agreement)).status_code == 404
    data = {f"lot{one.id}-intake": "1", f"lot{one.id}-treatment": "1"}
    assert client.post(url(agreement), data=data).status_code == 404
    assert client.post(f"{url(agreement)}/bevestigen").status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(WaitingTime)) == 0


def test_a_suspended_agreement_shows_no_form(
    app: Flask, client: FlaskClient, provider_register
) -> None:
    das, provider, agreement, _west, _weert = provider_register
    agreement.state = AgreementState.SUSPENDED
    db.session.commit()
    login(client, provider)
    page = text(client.get(url(agreement)))
    assert "U houdt wachttijden alleen bij voor een lopende overeenkomst." in page
    assert "Wachttijden opslaan" not in page
    one = das.lots[0]
    response = client.post(
        url(agreement), data={f"lot{one.id}-intake": "1", f"lot{one.id}-treatment": "1"}
    )
    assert response.status_code == 200
    assert current(agreement) == []


def test_typed_waiting_times_survive_an_expired_session(app: Flask, provider_register) -> None:
    """Not even an expired session loses typed work: the form sent after the idle time-out is
    kept, and after logging in again the page shows what was typed, saved with one click."""
    from tests.support.app import IsolatedClient
    from tests.views.test_parked_forms import RESTORED_NOTICE, form_on, kept_rows, log_in_to

    das, provider, agreement, _west, _weert = provider_register
    one = das.lots[0]
    client = IsolatedClient(app)
    login(client, provider)
    typed = form_on(text(client.get(url(agreement))), url(agreement))
    typed[f"lot{one.id}-intake"] = "7"
    typed[f"lot{one.id}-treatment"] = "11"
    typed[f"lot{one.id}-note"] = "Na de zomer korter"
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60

    response = client.post(url(agreement), data=typed)

    assert response.status_code == 303 and response.location.startswith("/inloggen?next=")
    assert current(agreement) == []  # nothing stored
    [_kept] = kept_rows()
    log_in_to(client, provider, url(agreement))
    page = text(client.get(url(agreement)))
    assert RESTORED_NOTICE in page
    assert f'id="lot{one.id}-intake"' in page and 'value="7"' in page and 'value="11"' in page
    assert "Na de zomer korter" in page
    assert current(agreement) == []  # shown, not saved
    # The page's own button saves it.
    assert client.post(url(agreement), data=form_on(page, url(agreement))).status_code == 302
    assert [(c[0], c[3], c[4], c[6]) for c in current(agreement)] == [
        (one.code, 7, 11, "Na de zomer korter")
    ]
