"""One path for a new provider (issue 17): registration keeps what was typed and states the
password rules first; verifying leads to the log-in with the address filled in; the first
log-in leads to the organisation's details, saving them to the dashboard, which always says
what to do next; a decided application says "Toegelaten" or "Afgewezen", per lot where they
differ."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import ApplicationState, LotOutcome, Organisation, Role, User
from portal.pages.status import application_status
from portal.services import applications, review
from tests import factories
from tests.support.app import login

REGISTRATION = dict(factories.REGISTRATION, size_class="small")
PROFILE = {
    "legal_name": "Praktijk De Bron",
    "kvk_number": "69599084",
    "size_class": "small",
    "street_address": "Kerkstraat 3",
    "postcode": "6041 AB",
    "city": "Roermond",
    "signatory_name": "Anna de Vries",
    "signatory_role": "Eigenaar",
}


def _checked(page: str, value: str) -> bool:
    """Whether the size-class radio with this value is checked."""
    tag = re.search(rf'<input[^>]*value="{value}"[^>]*>', page)
    assert tag, value
    return "checked" in tag.group(0)


def _assert_kept(page: str) -> None:
    for name in ("legal_name", "kvk_number", "name", "email"):
        assert f'value="{REGISTRATION[name]}"' in page, name
    assert _checked(page, "small") and not _checked(page, "micro")
    assert REGISTRATION["password"] not in page


def test_registration_keeps_every_field_but_the_passwords(app: Flask, client: FlaskClient) -> None:
    page = client.post(
        "/registreren", data=dict(REGISTRATION, password_repeat="iets-anders-dan-dat")
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "De wachtwoorden zijn niet gelijk." in text
    _assert_kept(text)


def test_registration_keeps_every_field_after_a_kvk_number_already_registered(
    app: Flask, client: FlaskClient
) -> None:
    factories.OrganisationFactory(kvk_number=REGISTRATION["kvk_number"])
    page = client.post("/registreren", data=REGISTRATION)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Deze organisatie (KvK-nummer) is al geregistreerd." in text
    _assert_kept(text)
    assert db.session.scalar(db.select(User).where(User.email == REGISTRATION["email"])) is None


def test_the_password_rules_are_on_the_page_before_anything_is_posted(
    app: Flask, client: FlaskClient
) -> None:
    text = client.get("/registreren").get_data(as_text=True)
    rules = re.search(r'<div class="hint" id="password-rules">(.*?)</div>', text, re.S)
    assert rules, "no rules under the password field"
    for rule in (
        "minstens 12 tekens",
        "geen veelgebruikt of uitgelekt wachtwoord",
        "niet gemaakt van uw naam, uw e-mailadres of de naam van uw organisatie",
        "‘Jeugdzorg2026!’",
        "drie of vier losse woorden",
    ):
        assert rule in rules.group(1), rule
    field = re.search(r'<input[^>]*id="password"[^>]*>', text)
    assert field and 'aria-describedby="password-rules"' in field.group(0)
    # The name a sole proprietorship understands, with the hint where to find it.
    assert "Naam volgens het Handelsregister" in text
    assert "eenmanszaak" in text
    assert "Statutaire naam" not in text


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Jeugdzorg2026!", "‘Jeugdzorg2026!’ telt als ‘jeugdzorg’"),
        ("Abcd1234abcd", "het lijkt op een woord met een jaartal, een eenvoudig patroon"),
        ("kort", "minstens 12 tekens"),
    ],
)
def test_a_refused_password_names_the_rule(
    app: Flask, client: FlaskClient, password: str, rule: str
) -> None:
    text = client.post(
        "/registreren", data=dict(REGISTRATION, password=password, password_repeat=password)
    ).get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="password-error">(.*?)</p>', text, re.S)
    assert error and rule in error.group(1)
    assert db.session.scalar(db.select(User)) is None


def _register_and_verify(client: FlaskClient, mailbox) -> str:
    client.post("/registreren", data=REGISTRATION)
    link = mailbox.link_in(mailbox.last_to(REGISTRATION["email"]))
    response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 302
    return response.location


def test_verifying_leads_to_the_log_in_with_the_address_filled_in(
    app: Flask, client: FlaskClient, mailbox
) -> None:
    assert _register_and_verify(client, mailbox) == "/inloggen"
    text = client.get("/inloggen").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="email"[^>]*>', text)
    assert field and f'value="{REGISTRATION["email"]}"' in field.group(0)
    assert "Log in met uw wachtwoord" in text
    # The link signed no one in.
    assert client.get("/aanbieder/").status_code == 302


def test_first_log_in_leads_to_the_details_and_saving_them_to_the_next_step(
    app: Flask, client: FlaskClient, mailbox
) -> None:
    das = factories.DasFactory(name="Jeugdhulp Midden-Limburg")
    _register_and_verify(client, mailbox)
    credentials = {"email": REGISTRATION["email"], "password": REGISTRATION["password"]}
    response = client.post("/inloggen", data=credentials)
    assert response.location == "/aanbieder/organisatie"
    text = client.get(response.location).get_data(as_text=True)
    assert "Vul deze gegevens aan voordat u zich aanmeldt:" in text
    assert "Straat en huisnummer, Postcode, Plaats, Naam tekenbevoegde" in text

    response = client.post("/aanbieder/organisatie", data=PROFILE)
    assert response.location == "/aanbieder/"
    text = client.get("/aanbieder/").get_data(as_text=True)
    panel = text[text.index("Volgende stap") :]
    assert "Jeugdhulp Midden-Limburg staat open" in panel
    assert f'action="/aanbieder/das/{das.slug}/aanmelden"' in panel
    assert "Aanmelding starten" in panel

    # Only the first log-in goes to the details; later ones go to the dashboard.
    client.post("/uitloggen")
    assert client.post("/inloggen", data=credentials).location == "/aanbieder/"


def test_a_colleague_first_log_in_goes_to_the_dashboard(app: Flask, client: FlaskClient) -> None:
    """A colleague cannot change the details: the dashboard names the gap instead."""
    organisation = factories.OrganisationFactory(city=None)
    colleague = factories.ProviderUserFactory(organisation=organisation, contributor=True)
    response = client.post(
        "/inloggen", data={"email": colleague.email, "password": factories.PASSWORD}
    )
    assert response.location == "/aanbieder/"
    assert "Gegevens aanvullen" in client.get("/aanbieder/").get_data(as_text=True)


def _panel(client: FlaskClient) -> str:
    text = client.get("/aanbieder/").get_data(as_text=True)
    start = text.index('id="next-step-title"')
    return text[start : text.index("</section>", start)]


def test_dashboard_next_step_for_each_situation(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(name="Jeugdhulp Midden-Limburg")
    provider = factories.ProviderUserFactory()
    login(client, provider)

    panel = _panel(client)
    assert "Aanmelding starten" in panel

    draft = applications.start_application(das, provider)
    panel = _panel(client)
    assert "0 van 3 onderdelen zijn compleet" in panel
    assert f'href="/aanbieder/aanmeldingen/{draft.id}"' in panel

    organisation = db.session.get(Organisation, provider.organisation_id)
    organisation.city = None
    db.session.commit()
    panel = _panel(client)
    assert "Gegevens aanvullen" in panel and "Plaats" in panel
    organisation.city = "Roermond"
    db.session.commit()

    db.session.delete(draft)
    db.session.commit()
    application = factories.complete_draft(das, provider, date(2026, 6, 1))
    assert "3 van 3 onderdelen zijn compleet" in _panel(client)

    applications.submit(application, provider, factories.at(date(2026, 6, 1)))
    # In review, and no other DAS open: nothing to do.
    assert "U hoeft nu niets te doen" in _panel(client)

    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    when = datetime(2026, 6, 2, 10, tzinfo=UTC)
    review.declare_conflict(application, reviewer, False, "", when)
    question = review.ask_clarification(
        application, reviewer, "Stuur de polis.", [], date(2026, 6, 16), when
    )
    panel = _panel(client)
    assert "Vraag beantwoorden" in panel and "16-06-2026" in panel
    assert f"/aanbieder/aanmeldingen/{application.id}/vragen/{question.id}" in panel


def test_dashboard_next_step_is_signing_the_agreement(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, date(2026, 6, 1))
    login(client, provider)
    panel = _panel(client)
    assert "Naar de overeenkomst" in panel
    assert f'href="/aanbieder/overeenkomsten/{agreement.id}"' in panel


@pytest.mark.parametrize(
    ("state", "outcomes", "status"),
    [
        (ApplicationState.DRAFT, [], "Concept"),
        (ApplicationState.SUBMITTED, [("1", "pending")], "Ingediend"),
        (ApplicationState.DECIDED, [("1", "admitted")], "Toegelaten"),
        (ApplicationState.DECIDED, [("1", "admitted"), ("2", "admitted")], "Toegelaten"),
        (ApplicationState.DECIDED, [("1", "rejected"), ("2", "rejected")], "Afgewezen"),
        (
            ApplicationState.DECIDED,
            [("A", "admitted"), ("B", "rejected")],
            "Toegelaten voor perceel A, afgewezen voor perceel B",
        ),
        (
            ApplicationState.DECIDED,
            [("1", "admitted"), ("2", "admitted"), ("3", "rejected")],
            "Toegelaten voor percelen 1 en 2, afgewezen voor perceel 3",
        ),
    ],
)
def test_status_labels(
    app: Flask, state: ApplicationState, outcomes: list[tuple[str, str]], status: str
) -> None:
    with app.test_request_context():
        assert application_status(state, outcomes) == status


def test_the_dashboard_says_admitted_or_rejected_per_lot_not_decided(
    app: Flask, client: FlaskClient
) -> None:
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.submitted_application(das, provider, date(2026, 6, 1))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    first, second = sorted(application.lots, key=lambda al: al.lot.position)
    factories.decide(
        application,
        {
            first.lot_id: review.LotDecision(LotOutcome.ADMITTED, ""),
            second.lot_id: review.LotDecision(LotOutcome.REJECTED, "Geen certificaat."),
        },
        reviewer,
        factories.at(date(2026, 6, 2)),
    )
    login(client, provider)
    text = client.get("/aanbieder/").get_data(as_text=True)
    assert "Toegelaten voor perceel 1, afgewezen voor perceel 2" in text
    assert "Besloten" not in text
