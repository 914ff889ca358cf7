"""The pages for importing an ESPD (UEA) response into a draft (issue 22): upload, result,
adopting organisation data; every refusal shows its Dutch message and stores nothing."""

from __future__ import annotations

import html
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationState,
    AuditEvent,
    EspdImport,
    ReuseSource,
)
from portal.pages.messages import message_for
from portal.services import ServiceError, applications
from tests import factories
from tests.services.test_espd_import import KVK, REFUSED, SMALL, with_tax_ground
from tests.support.app import login


@pytest.fixture()
def draft(app: Flask, client: FlaskClient) -> Application:
    das = factories.DasFactory()
    with_tax_ground(das)
    user = factories.ProviderUserFactory(organisation=factories.OrganisationFactory(kvk_number=KVK))
    application = applications.start_application(das, user)
    login(client, user)
    return application


def url(application: Application, rest: str = "") -> str:
    return f"/aanbieder/aanmeldingen/{application.id}/espd-importeren{rest}"


def upload(client: FlaskClient, application: Application, data: bytes, name: str = "uea.xml"):
    return client.post(
        url(application),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def stored() -> tuple[int, int]:
    return (
        db.session.scalar(db.select(db.func.count()).select_from(EspdImport)) or 0,
        db.session.scalar(db.select(db.func.count()).select_from(Answer)) or 0,
    )


def dutch(app: Flask, code: str) -> str:
    with app.test_request_context():
        message = message_for(ServiceError(code))
    assert "Er ging iets mis" not in message, f"no Dutch message for {code}"
    return message


def test_the_overview_links_to_the_import(client: FlaskClient, draft: Application) -> None:
    page = text(client.get(f"/aanbieder/aanmeldingen/{draft.id}"))
    assert "Al een UEA (ESPD) ingevuld voor een andere aanbesteding?" in page
    assert url(draft) in page
    page = text(client.get(url(draft)))
    assert "TenderNed" in page and "Er wordt niets ingediend." in page
    assert 'accept=".xml' in page


def test_an_upload_shows_what_was_filled_and_what_not(
    client: FlaskClient, draft: Application
) -> None:
    response = upload(client, draft, SMALL)
    assert response.status_code == 302
    found = db.session.scalar(db.select(EspdImport))
    assert found is not None and response.location == url(draft, f"/{found.id}")

    page = text(client.get(response.location))
    assert "Uw UEA is ingelezen" in page
    # Filled, with code, title and the answer.
    assert "U1. Fraude" in page and "valsheid in geschrift" in page
    assert "compliance officer" in page
    assert "U3. Belastingen en premies" in page
    # Not filled, and why.
    assert "U2. Faillissement" in page and "Het UEA beantwoordt deze vraag niet." in page
    assert "(crime-org)" in page and "Dit aankoopsysteem vraagt hier niet naar." in page
    # The organisation data that differ, to adopt.
    assert "Lindelaan 12" in page and "Markt 1" in page
    assert 'name="chosen" value="street_address"' in page

    # The exclusion page shows the answers, carried over from the ESPD.
    exclusion = text(client.get(f"/aanbieder/aanmeldingen/{draft.id}/uitsluitingsgronden"))
    assert "compliance officer" in exclusion
    fraud = db.session.scalar(
        db.select(Answer).where(Answer.application_id == draft.id, Answer.value.is_(True))
    )
    assert fraud is not None and fraud.reused_source is ReuseSource.ESPD


def test_the_same_file_sent_twice_shows_the_first_result(
    client: FlaskClient, draft: Application
) -> None:
    first = upload(client, draft, SMALL)
    second = upload(client, draft, SMALL)
    assert first.location == second.location
    assert stored()[0] == 1


def test_a_typed_answer_is_kept_and_listed(client: FlaskClient, draft: Application) -> None:
    fraud = next(c for c in draft.das.criteria if c.code == "U1")
    applications.save_answers(draft, {fraud.id: applications.AnswerInput(False)}, draft.created_by)
    page = text(client.get(upload(client, draft, SMALL).location))
    assert "Uw eigen antwoorden, niet overschreven" in page
    assert "Anders dan uw antwoord" in page


@pytest.mark.parametrize(("name", "data", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_every_refusal_has_its_dutch_message_and_stores_nothing(
    app: Flask, client: FlaskClient, draft: Application, name: str, data: bytes, code: str
) -> None:
    before = stored()
    response = upload(client, draft, data, f"{name}.xml")
    assert response.status_code == 200
    page = text(response)
    message = dutch(app, code)
    assert page.count(message) >= 2  # in the error summary and at the field
    assert 'class="error-summary"' in page
    assert stored() == before
    if name == "schema_invalid":
        assert "Melding van de controle" in page and "misschien" in page


def test_another_organisations_file_is_refused(
    app: Flask, client: FlaskClient, draft: Application
) -> None:
    draft.organisation.kvk_number = "87654321"
    db.session.commit()
    page = text(upload(client, draft, SMALL))
    assert dutch(app, "espd_other_organisation") in page
    assert stored()[0] == 0


def test_no_file_chosen(client: FlaskClient, draft: Application) -> None:
    response = client.post(url(draft), data={}, content_type="multipart/form-data")
    assert "Kies het XML-bestand van uw UEA (ESPD)." in text(response)


def test_a_body_over_the_request_limit_gets_the_same_refusal(
    app: Flask, client: FlaskClient, draft: Application
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = upload(client, draft, SMALL)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    page = text(response)
    assert dutch(app, "espd_too_large") in page
    assert "Antwoorden overnemen uit een UEA (ESPD)" in page
    assert stored()[0] == 0


def test_over_the_limit_elsewhere_is_the_usual_page(
    app: Flask, client: FlaskClient, draft: Application
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = client.post(
            "/aanbieder/documenten",
            data={"file": (io.BytesIO(b"x" * 4096), "a.pdf")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "Bestand te groot" in text(response)


def test_another_organisations_application_is_not_found(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    owner = factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(kvk_number=KVK)
    )
    application = applications.start_application(das, owner)
    login(client, owner)
    result = upload(client, application, SMALL).location
    stranger = factories.ProviderUserFactory()
    login(client, stranger)
    assert client.get(url(application)).status_code == 404
    assert upload(client, application, SMALL).status_code == 404
    assert client.get(result).status_code == 404
    assert client.post(f"{result}/organisatie", data={"chosen": "city"}).status_code == 404
    assert stored()[0] == 1


def test_a_submitted_application_takes_no_import(client: FlaskClient, draft: Application) -> None:
    draft.state = ApplicationState.SUBMITTED
    db.session.commit()
    response = upload(client, draft, SMALL)
    assert response.status_code == 302
    assert response.location == f"/aanbieder/aanmeldingen/{draft.id}"
    assert stored()[0] == 0


def test_adopting_the_address(client: FlaskClient, draft: Application) -> None:
    result = upload(client, draft, SMALL).location
    response = client.post(
        f"{result}/organisatie", data={"chosen": ["street_address", "postcode", "city"]}
    )
    assert response.status_code == 302 and response.location == result
    organisation = draft.organisation
    db.session.refresh(organisation)
    assert (organisation.street_address, organisation.postcode, organisation.city) == (
        "Lindelaan 12",
        "3511 AB",
        "Utrecht",
    )
    page = text(client.get(result))
    assert "Overgenomen in het profiel van uw organisatie" in page
    assert 'value="street_address"' not in page  # no longer differs
    assert db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "espd.organisation_adopted")
    )


def test_adopting_nothing_or_a_bad_value(client: FlaskClient, draft: Application) -> None:
    result = upload(client, draft, SMALL).location
    page = text(client.post(f"{result}/organisatie", data={}))
    assert "Kies welke gegevens u wilt overnemen." in page
    found = db.session.scalar(db.select(EspdImport))
    assert found is not None
    found.summary = {**found.summary, "organisation": {"postcode": "ABCD 12"}}
    db.session.commit()
    page = text(client.post(f"{result}/organisatie", data={"chosen": "postcode"}))
    assert "Postcode: Vul een geldige postcode in, zoals 6041 AB." in page
    db.session.refresh(draft.organisation)
    assert draft.organisation.postcode == "6041 EL"


def test_a_colleague_sees_the_result_but_does_not_adopt(
    client: FlaskClient, draft: Application
) -> None:
    result = upload(client, draft, SMALL).location
    colleague = factories.ProviderUserFactory(organisation=draft.organisation, contributor=True)
    login(client, colleague)
    page = text(client.get(result))
    assert "Alleen de beheerder van uw organisatie kan ze overnemen." in page
    assert 'name="chosen"' not in page
    assert client.post(f"{result}/organisatie", data={"chosen": "city"}).status_code == 403


def test_the_result_page_costs_the_same_however_many_criteria(
    client: FlaskClient, draft: Application
) -> None:
    """Within the query cap (tests/test_query_counts.py), and no query per criterion."""
    from tests.test_query_counts import MAX_QUERIES, counting

    def measure(data: bytes) -> int:
        result = upload(client, draft, data).location
        client.get(result)
        with counting() as statements:
            assert client.get(result).status_code == 200
        return len(statements)

    few = measure(SMALL)
    for n in range(20):
        factories.add_criterion(
            draft.das,
            f"N{n}",
            espd_codes="fraud" if n % 2 else "bankruptcy",
            title=f"Grond {n}",
            question="?",
            position=10 + n,
        )
    db.session.commit()
    many = measure(SMALL + b"<!-- opnieuw -->")
    assert few == many
    assert many <= MAX_QUERIES
