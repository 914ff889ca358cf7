"""The public verification page (issue 24): upload a PDF or give its fingerprint or reference, and
hear whether it is a genuine, unchanged document of the portal and which one, without anything
confidential; a refused upload keeps nothing. And the same check as `flask documents verify`."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.infra import seal
from portal.models import Application
from portal.public import verify_views
from portal.services import agreements, letters
from tests import factories
from tests.factories import admit
from tests.support.documents import stand_in_pdf

# Every document here is sealed for real (others store theirs unsealed: tests/conftest.py).
pytestmark = pytest.mark.real_seal

URL = "/documenten/controleren"


@pytest.fixture()
def issued(app: Flask):
    das = factories.DasFactory(name="Jeugdhulp Testregio")
    provider = factories.ProviderUserFactory(organisation__legal_name="Geheime Zorg BV")
    agreement = admit(das, provider, date(2027, 3, 15))
    application = db.session.scalars(
        db.select(Application).where(Application.das_id == das.id)
    ).one()
    letter = letters.read(letters.letter_of(application))
    return das, agreement, application, letter


def upload(client: FlaskClient, content: bytes, name: str = "besluit.pdf"):
    return client.post(
        URL,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def text_of(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def stored_files(app: Flask) -> set[Path]:
    return {p for p in Path(app.config["EVIDENCE_DIR"]).rglob("*") if p.is_file()}


def test_the_page_is_linked_from_every_page(client: FlaskClient) -> None:
    assert f'href="{URL}"' in client.get("/").get_data(as_text=True)
    page = text_of(client.get(URL))
    assert "Document controleren" in page and 'enctype="multipart/form-data"' in page


def test_a_genuine_decision_letter_names_itself_and_nothing_confidential(
    client: FlaskClient, issued
) -> None:
    das, agreement, application, letter = issued
    response = upload(client, letter)
    page = text_of(response)
    assert response.status_code == 200
    assert "Echt en ongewijzigd" in page
    assert "Besluit op een aanmelding" in page
    assert das.name in page and application.reference in page
    assert hashlib.sha256(letter).hexdigest() in page
    # Nothing the holder does not already know, and nobody else's data.
    assert "Geheime Zorg BV" not in page
    assert "toegelaten" not in page.lower() and "afgewezen" not in page.lower()


def test_a_changed_letter_is_not_genuine(client: FlaskClient, issued) -> None:
    letter = issued[3]
    # A byte of the document's text (its title): the file still reads as a PDF, with its seal. (A
    # byte in the file's structure may make it unreadable instead; that is never genuine either:
    # tests/services/test_seal.py flips bytes all through the file.)
    changed = bytearray(letter)
    changed[letter.index(b"/Title (") + 10] ^= 0x01
    page = text_of(upload(client, bytes(changed)))
    assert "Niet echt: het document is veranderd" in page
    assert "Echt en ongewijzigd" not in page
    # Bytes added after the seal: changed as well.
    assert "Niet echt: het document is veranderd" in text_of(upload(client, letter + b"%x\n"))


def test_a_pdf_sealed_by_another_key_is_not_genuine(client: FlaskClient, tmp_path: Path) -> None:
    path = tmp_path / "ander.p12"
    path.write_bytes(seal.generate_chain("Andere root", "Ander zegel"))
    other = seal.load_pkcs12(path, seal.DEMO_PASSWORD)
    page = text_of(upload(client, seal.seal_pdf(stand_in_pdf("<h1>Besluit</h1>"), other)))
    assert "Niet echt: verzegeld door een ander" in page and "Ander zegel" in page


def test_an_unsealed_pdf_is_not_genuine(client: FlaskClient) -> None:
    page = text_of(upload(client, stand_in_pdf("<h1>Besluit</h1>")))
    assert "Niet echt: geen zegel" in page


def test_not_a_pdf_says_so_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    before = stored_files(app)
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"0" * 100, "foto.png")
    assert response.status_code == 200
    assert "Geen PDF" in text_of(response)
    assert stored_files(app) == before


def test_a_file_too_big_is_refused_with_a_dutch_message_and_stores_nothing(
    app: Flask, client: FlaskClient, issued, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter = issued[3]
    monkeypatch.setattr(verify_views, "MAX_BYTES", len(letter) - 1)
    before = stored_files(app)
    response = upload(client, letter)
    page = text_of(response)
    assert response.status_code == 422
    assert "Er is een probleem" in page and "groter dan 10 MB" in page
    assert "Echt en ongewijzigd" not in page
    assert stored_files(app) == before


def test_no_file_says_what_to_choose(client: FlaskClient) -> None:
    response = client.post(URL, data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Kies het PDF-bestand dat u wilt controleren." in text_of(response)


def test_by_fingerprint(client: FlaskClient, issued) -> None:
    das, agreement, application, letter = issued
    sha256 = hashlib.sha256(letter).hexdigest()
    page = text_of(client.get(URL, query_string={"kenmerk": sha256.upper()}))
    assert "Het portaal heeft dit document uitgegeven" in page
    assert "Besluit op een aanmelding" in page and sha256 in page
    assert f'value="{sha256.upper()}"' in page  # what was typed stays
    assert "Geheime Zorg BV" not in page
    unknown = client.get(URL, query_string={"kenmerk": "0" * 64})
    assert "Onbekend" in text_of(unknown)


def test_by_reference(client: FlaskClient, issued) -> None:
    das, agreement, application, letter = issued
    content, _ = agreements.document(agreement)
    page = text_of(client.get(URL, query_string={"kenmerk": agreement.reference}))
    assert "Raamovereenkomst zoals opgesteld" in page and agreement.reference in page
    assert hashlib.sha256(content).hexdigest() in page
    assert "Geheime Zorg BV" not in page
    page = text_of(client.get(URL, query_string={"kenmerk": application.reference}))
    assert "Besluit op een aanmelding" in page and "Beoordelingsrapport" in page


def test_an_empty_or_too_long_reference_says_what_to_fill_in(client: FlaskClient) -> None:
    response = client.get(URL, query_string={"kenmerk": ""})
    assert response.status_code == 422
    assert "Vul de vingerafdruk of het kenmerk van het document in." in text_of(response)
    response = client.get(URL, query_string={"kenmerk": "x" * 101})
    assert response.status_code == 422 and "hoogstens 100 tekens" in text_of(response)
    assert 'value="' + "x" * 101 + '"' in response.get_data(as_text=True)


def test_the_command(app: Flask, issued, tmp_path: Path) -> None:
    letter = issued[3]
    runner = app.test_cli_runner()
    genuine = tmp_path / "besluit.pdf"
    genuine.write_bytes(letter)
    result = runner.invoke(args=["documents", "verify", str(genuine)])
    assert result.exit_code == 0, result.output
    assert "ECHT" in result.output and "decision_letter" in result.output

    changed = tmp_path / "gewijzigd.pdf"
    changed.write_bytes(letter.replace(b"/Type /Page ", b"/Type /Page  ", 1) + b"\n")
    result = runner.invoke(args=["documents", "verify", str(changed)])
    assert result.exit_code == 1 and "NIET ECHT" in result.output

    unsealed = tmp_path / "los.pdf"
    unsealed.write_bytes(stand_in_pdf("x"))
    result = runner.invoke(args=["documents", "verify", str(unsealed)])
    assert result.exit_code == 1 and "zonder zegel" in result.output


def test_checks_are_limited_per_address(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each check reads up to 10 MB with pyHanko or looks up a reference: a client that keeps
    checking is told to wait (a 429 with Retry-After); the empty page stays open."""
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_ADDRESS", "2 per minute")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.24"
    assert client.get(f"{URL}?kenmerk={'0' * 64}").status_code == 200
    assert upload(client, b"%PDF-1.4 geen echt document").status_code == 200
    refused = client.get(f"{URL}?kenmerk=RO-X-00001")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert upload(client, b"%PDF-1.4").status_code == 429
    assert client.get(URL).status_code == 200
    # Another address is not held up by this one.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.25"
    assert other.get(f"{URL}?kenmerk=RO-X-00001").status_code == 200
