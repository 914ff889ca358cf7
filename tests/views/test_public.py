from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from portal.devdata.demo import load_demo
from portal.extensions import db
from portal.models import Application, AuditEvent, Das, EvidenceDocument, FrameworkAgreement, User


def test_home_announces_midden_limburg(app: Flask, client: FlaskClient) -> None:
    load_demo(date(2026, 11, 22))
    page = client.get("/").get_data(as_text=True)
    assert "Ambulante jeugdhulp en wonen Midden-Limburg" in page
    assert "01-01-2026" in page and "31-12-2029" in page
    assert "2 verlengingsopties van 3 jaar" in page
    assert "u kunt zich op elk moment aanmelden" in page
    for name in (
        "Echt-Susteren",
        "Maasgouw",
        "Roerdalen",
        "Roermond",
        "Leudal",
        "Nederweert",
        "Weert",
    ):
        assert name in page


def test_das_page_shows_subregions_lots_and_admitted_providers(
    app: Flask, client: FlaskClient
) -> None:
    load_demo(date(2026, 11, 22))
    page = client.get("/das/ambulante-jeugdhulp-en-wonen-midden-limburg").get_data(as_text=True)
    assert "Midden-Limburg Oost" in page and "Midden-Limburg West" in page
    for lot in (
        "Individuele begeleiding en behandeling",
        "Groepsbegeleiding en -behandeling",
        "Vervoer",
        "Trajecten",
        "Wonen",
    ):
        assert lot in page
    assert "85000000-9" in page
    assert "Deelname aan een criminele organisatie" in page  # ESPD Dutch label
    # The providers are on their own, paged list; the DAS page links to it.
    assert "/das/ambulante-jeugdhulp-en-wonen-midden-limburg/aanbieders" in page
    providers = client.get("/das/ambulante-jeugdhulp-en-wonen-midden-limburg/aanbieders")
    listed = providers.get_data(as_text=True)
    assert "Gezinshuis De Linde B.V." in listed  # admitted in the demo
    assert "Kompas Ambulante Zorg B.V." not in listed  # rejected
    assert "Stichting Samen Sterk Jeugdhulp" not in listed  # still in review


def test_demo_data_is_idempotent(app: Flask) -> None:
    load_demo(date(2026, 11, 22))
    models = (Das, User, Application, EvidenceDocument, FrameworkAgreement, AuditEvent)
    before = {
        m.__name__: db.session.scalar(db.select(db.func.count()).select_from(m)) for m in models
    }
    load_demo(date(2026, 11, 22))
    after = {
        m.__name__: db.session.scalar(db.select(db.func.count()).select_from(m)) for m in models
    }
    assert before == after
    assert before["Das"] == 2 and before["FrameworkAgreement"] == 2


def test_unknown_das_is_404(app: Flask, client: FlaskClient) -> None:
    assert client.get("/das/bestaat-niet").status_code == 404


def test_security_headers(app: Flask, client: FlaskClient) -> None:
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
