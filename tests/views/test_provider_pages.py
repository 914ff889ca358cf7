"""The provider's pages, their errors, and that nothing typed or uploaded is lost or half-kept."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Application, ApplicationState, EvidenceDocument, Organisation, User
from portal.services import calendar
from tests import factories
from tests.support.app import login

VALID_REGISTRATION = factories.REGISTRATION


def test_registration_needs_a_verified_email(app: Flask, client: FlaskClient, mailbox) -> None:
    response = client.post("/registreren", data=VALID_REGISTRATION)
    assert response.location == "/registreren/controleer-uw-e-mail"
    assert "anna@debron.nl" in client.get(response.location).get_data(as_text=True)
    user = db.session.scalar(db.select(User))
    assert user.organisation.legal_name == "Praktijk De Bron"
    assert user.may_submit and not user.is_verified

    # Not verified yet: logging in is refused with a way to get a new mail.
    page = client.post(
        "/inloggen", data={"email": "anna@debron.nl", "password": "een-lang-wachtwoord"}
    ).get_data(as_text=True)
    assert "U heeft uw e-mailadres nog niet bevestigd" in page
    assert "Stuur de bevestigingsmail opnieuw" in page

    message = mailbox.last_to("anna@debron.nl")
    assert message["Subject"] == "Bevestig uw e-mailadres voor het DAS-portaal"
    link = mailbox.link_in(message)
    response = client.get(link.replace("http://localhost", ""))
    # The link confirms the address and signs no one in; the password does that.
    assert response.status_code == 302 and response.location == "/inloggen"
    db.session.refresh(user)
    assert user.is_verified
    login(client, user, "een-lang-wachtwoord")
    assert "Praktijk De Bron" in client.get("/aanbieder/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kvk_number", "1234", "Een KvK-nummer bestaat uit 8 cijfers."),
        ("kvk_number", "", "Vul het KvK-nummer in."),
        ("legal_name", "", "Vul de naam van uw organisatie in."),
        ("size_class", "", "Kies de grootte van uw organisatie."),
        ("email", "geen-adres", "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
        ("password", "kort", "Het wachtwoord moet minstens 12 tekens lang zijn."),
        ("password_repeat", "iets-anders-dan-dat", "De wachtwoorden zijn niet gelijk."),
    ],
)
def test_registration_errors_are_dutch_and_keep_input(
    app: Flask, client: FlaskClient, field: str, value: str, message: str
) -> None:
    data = dict(VALID_REGISTRATION, **{field: value})
    page = client.post("/registreren", data=data).get_data(as_text=True)
    assert "Er is een probleem" in page
    assert message in page
    assert page.count(message) == 2  # in the summary and at the field
    for kept in ("Praktijk De Bron", "Anna de Vries"):
        if data["legal_name"] or kept != "Praktijk De Bron":
            assert kept in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0


def test_registering_a_known_kvk_is_refused(app: Flask, client: FlaskClient) -> None:
    # A known e-mail address gets the answer a new one gets: tests/views/test_enumeration.py.
    existing = factories.ProviderUserFactory(email="anna@debron.nl")
    data = dict(
        VALID_REGISTRATION, email="nieuw@debron.nl", kvk_number=existing.organisation.kvk_number
    )
    page = client.post("/registreren", data=data).get_data(as_text=True)
    assert "Deze organisatie (KvK-nummer) is al geregistreerd" in page


def test_wrong_password_is_refused_with_dutch_message(app: Flask, client: FlaskClient) -> None:
    user = factories.ProviderUserFactory()
    page = client.post(
        "/inloggen", data={"email": user.email, "password": "fout-fout-fout"}
    ).get_data(as_text=True)
    assert "Het e-mailadres of het wachtwoord klopt niet." in page
    assert user.email in page


# Browsers read a backslash as a slash: "/\evil.example" is "//evil.example", another site.
OFF_SITE_TARGETS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "/\t/evil.example/",
]


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_login_does_not_redirect_off_site(app: Flask, client: FlaskClient, target: str) -> None:
    user = factories.ProviderUserFactory()
    response = client.post(
        "/inloggen",
        query_string={"next": target},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.location == "/aanbieder/"


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_the_language_switch_does_not_redirect_off_site(
    app: Flask, client: FlaskClient, target: str
) -> None:
    response = client.post("/taal/en", data={"next": target})
    assert response.location == "/"


@pytest.fixture()
def provider(app: Flask, client: FlaskClient):
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory()
    user = factories.ProviderUserFactory()
    login(client, user)
    return das, user


def upload(
    client: FlaskClient,
    content: bytes,
    filename: str = "polis.pdf",
    evidence_type: str = "kwaliteitscertificaat",
    issued_on: str = "2026-10-01",
):
    return client.post(
        "/aanbieder/documenten",
        data={
            "file": (io.BytesIO(content), filename),
            "evidence_type": evidence_type,
            "issued_on": issued_on,
            "expires_on": "",
        },
        content_type="multipart/form-data",
    )


def evidence_files(app: Flask) -> list[str]:
    found: list[str] = []
    for root, _dirs, files in os.walk(app.config["EVIDENCE_DIR"]):
        found.extend(os.path.join(root, f) for f in files)
    return found


def test_upload_is_stored_under_its_hash_and_downloadable(
    app: Flask, client: FlaskClient, provider
) -> None:
    response = upload(client, factories.PDF_BYTES)
    assert response.status_code == 302
    document = db.session.scalar(db.select(EvidenceDocument))
    assert document.content_type == "application/pdf"
    assert evidence_files(app) == [
        os.path.join(app.config["EVIDENCE_DIR"], document.sha256[:2], document.sha256)
    ]
    download = client.get(f"/aanbieder/documenten/{document.id}")
    assert download.data == factories.PDF_BYTES
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            b"MZ\x90\x00 this is an executable",
            "certificaat.pdf",
            "Dit soort bestand kunnen we niet aannemen",
        ),
        (b"", "leeg.pdf", "Het bestand is leeg"),
        (
            b"<html><script>alert(1)</script></html>",
            "pagina.pdf",
            "Dit soort bestand kunnen we niet aannemen",
        ),
        (factories.PDF_BYTES, "../../etc/passwd.pdf", "De bestandsnaam is ongeldig"),
    ],
)
def test_refused_upload_stores_nothing(
    app: Flask,
    client: FlaskClient,
    provider,
    content: bytes,
    filename: str,
    message: str,
) -> None:
    page = upload(client, content, filename).get_data(as_text=True)
    assert message in page
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)) == 0
    assert evidence_files(app) == []
    # What the user chose is kept.
    assert 'value="2026-10-01"' in page


def test_too_large_upload_stores_nothing(app: Flask, client: FlaskClient, provider) -> None:
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    try:
        page = upload(client, factories.PDF_BYTES + b"0" * 2048).get_data(as_text=True)
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = 20 * 1024 * 1024
    assert "Het bestand is te groot" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceDocument)) == 0
    assert evidence_files(app) == []


def test_body_over_the_request_limit_is_refused_before_reading(
    app: Flask, client: FlaskClient, provider
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = upload(client, factories.PDF_BYTES + b"0" * 4096)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 21 * 1024 * 1024
    assert response.status_code == 413
    assert "Bestand te groot" in response.get_data(as_text=True)
    assert evidence_files(app) == []


def test_missing_upload_date_keeps_the_choice(app: Flask, client: FlaskClient, provider) -> None:
    page = upload(client, factories.PDF_BYTES, issued_on="").get_data(as_text=True)
    assert "Vul de datum van afgifte in" in page
    assert (
        'value="kwaliteitscertificaat" selected' in page
        or 'selected value="kwaliteitscertificaat"' in page
    )


def test_whole_application_through_the_pages(app: Flask, client: FlaskClient, provider) -> None:
    das, user = provider
    response = client.post(f"/aanbieder/das/{das.slug}/aanmelden")
    application = db.session.scalar(db.select(Application))
    assert response.location == f"/aanbieder/aanmeldingen/{application.id}"
    base = f"/aanbieder/aanmeldingen/{application.id}"
    overview = client.get(base).get_data(as_text=True)
    assert "0 van 3 onderdelen compleet" in overview

    # Submitting too early lists exactly what is missing, each linking to its place.
    page = client.get(f"{base}/indienen").get_data(as_text=True)
    assert "Kies ten minste één product." in page
    assert f'href="{base}/uitsluitingsgronden#criterium-U1"' in page
    assert f'href="{base}/geschiktheidseisen#criterium-G4"' in page

    client.post(f"{base}/percelen", data={"products": [str(das.lots[0].products[0].id)]})
    u1, u2, g1, g4 = das.criteria
    client.post(
        f"{base}/uitsluitingsgronden",
        data={
            f"c{u1.id}_value": "nee",
            f"c{u2.id}_value": "ja",
            f"c{u2.id}_explanation": "Surseance in 2025, opgeheven.",
            f"c{u2.id}_self_cleaning": "Nieuwe financiering.",
        },
    )
    page = client.get(f"{base}/uitsluitingsgronden").get_data(as_text=True)
    assert "Surseance in 2025, opgeheven." in page  # saved and shown again

    upload(client, factories.PDF_BYTES, "certificaat.pdf", "kwaliteitscertificaat", "2026-06-01")
    upload(client, factories.PDF_BYTES + b" ", "kvk.pdf", "kvk_uittreksel", "2026-10-01")
    cert, kvk = sorted(db.session.scalars(db.select(EvidenceDocument)), key=lambda d: d.id)
    client.post(
        f"{base}/geschiktheidseisen",
        data={
            f"c{g1.id}_value": "ja",
            f"c{g1.id}_documents": [str(cert.id)],
            f"c{g4.id}_value": "ja",
            f"c{g4.id}_documents": [str(kvk.id)],
        },
    )
    overview = client.get(base).get_data(as_text=True)
    assert "3 van 3 onderdelen compleet" in overview

    page = client.post(f"{base}/indienen", data={}).get_data(as_text=True)
    assert "Bevestig de verklaring om in te dienen." in page
    response = client.post(f"{base}/indienen", data={"declaration": "y"})
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state is ApplicationState.SUBMITTED
    receipt = client.get(base).get_data(as_text=True)
    assert application.reference in receipt
    assert application.review_deadline.strftime("%d-%m-%Y") in receipt

    # A second click finds the application submitted: no second submission, no error page.
    again = client.post(f"{base}/indienen", data={"declaration": "y"})
    assert again.status_code == 302 and again.location == base
    # A submitted application is frozen.
    client.post(f"{base}/percelen", data={"products": [str(das.lots[1].products[0].id)]})
    db.session.refresh(application)
    assert [al.lot_id for al in application.lots] == [das.lots[0].id]


def test_cannot_attach_another_organisations_document(
    app: Flask, client: FlaskClient, provider
) -> None:
    das, user = provider
    stranger = factories.ProviderUserFactory()
    foreign = factories.upload_pdf(
        stranger, factories.EvidenceType.QUALITY_CERTIFICATE, date(2026, 10, 1)
    )
    client.post(f"/aanbieder/das/{das.slug}/aanmelden")
    application = db.session.scalar(db.select(Application))
    g1 = das.criteria[2]
    page = client.post(
        f"/aanbieder/aanmeldingen/{application.id}/geschiktheidseisen",
        data={f"c{g1.id}_value": "ja", f"c{g1.id}_documents": [str(foreign.id)]},
    ).get_data(as_text=True)
    assert "is een ongeldige keuze voor dit veld" in page  # WTForms' Dutch catalogue
    db.session.refresh(application)
    assert all(not a.documents for a in application.answers)
