"""Catalogue, base tariffs, index figures, indexation and tariff sheets."""

from __future__ import annotations

import csv
import html
import io
from datetime import date
from decimal import Decimal
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from portal.extensions import db
from portal.models import AuditEvent, IndexFigure, Product, Role, Tariff, TariffSheet
from portal.services import calendar
from tests import factories
from tests.support.app import login


@pytest.fixture()
def admin_das(app: Flask, client: FlaskClient):
    das = factories.DasFactory()  # products 45A01 (lot 1) and 45A02 (lot 2), per hour
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    return das, admin


class HiddenFields(HTMLParser):
    """The hidden fields of a page's forms, as a browser would send them back."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.fields[found["name"] or ""] = found.get("value") or ""


def hidden_fields(page: str) -> dict[str, str]:
    parser = HiddenFields()
    parser.feed(page)
    return parser.fields


def upload(
    client: FlaskClient,
    das,
    content: bytes,
    name: str = "tarieven.csv",
    year: int = 2024,
    note: str = "",
    confirm: bool = True,
):
    """Import a file; with `confirm`, also press the confirmation step's button."""
    response = client.post(
        f"/beheer/das/{das.slug}/tarieven",
        data={"file": (io.BytesIO(content), name), "year": str(year), "correction_note": note},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    if not confirm or "bevestig de publicatie" not in page:
        return response
    return client.post(
        f"/beheer/das/{das.slug}/basistarieven", data={**hidden_fields(page), "confirmed": "ja"}
    )


def sheets() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(TariffSheet)) or 0


def test_csv_import_publishes_the_base_year(
    app: Flask,
    client: FlaskClient,
    admin_das,
    mailbox,
) -> None:
    das, _ = admin_das
    response = upload(client, das, "productcode;tarief\n45A01;100,00\n45a02;€ 1.234,56\n".encode())
    assert response.status_code == 302
    sheet = db.session.scalar(db.select(TariffSheet))
    assert sheet.is_base and sheet.year == 2024
    assert sorted(t.amount_cents for t in sheet.tariffs) == [10_000, 123_456]


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        (b"code,prijs\n45A01,100\n", ["De eerste regel moet de kolommen"]),
        (b"productcode,tarief\n45A01,honderd\n45A02,10\n", ["Regel 2: 'honderd' is geen bedrag"]),
        (
            b"productcode,tarief\n45A01,100\n45A01,101\n45A02,10\n",
            ["Regel 3: Productcode 45A01 staat ook op regel 2."],
        ),
        (
            b"productcode,tarief,eenheid\n45A01,100,14\n45A02,10,04\n",
            ["Regel 2: Eenheid 14 hoort niet bij 45A01 (verwacht 04)."],
        ),
        (
            b"productcode,tarief\n99X99,100\n45A01,1\n45A02,-3\n",
            ["Regel 2: Productcode 99X99 bestaat niet", "Regel 4: '-3' is geen bedrag"],
        ),
        (b"productcode,tarief\n45A01,100\n", ["Er ontbreekt een tarief voor: 45A02."]),
        (b"productcode,tarief\n45A01,100.123\n45A02,1\n", ["Regel 2: '100.123' is geen bedrag"]),
    ],
)
def test_an_import_with_any_wrong_row_imports_nothing(
    app: Flask,
    client: FlaskClient,
    admin_das,
    content: bytes,
    messages: list[str],
) -> None:
    das, _ = admin_das
    page = html.unescape(upload(client, das, content).get_data(as_text=True))
    assert "Het bestand is niet ingelezen" in page
    for message in messages:
        assert message in page
    assert sheets() == 0


def test_excel_import(app: Flask, client: FlaskClient, admin_das) -> None:
    das, _ = admin_das
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Productcode", "Tarief", "Eenheid"])
    sheet.append(["45A01", 100.5, "04"])
    sheet.append(["45A02", "88,10", "4"])
    out = io.BytesIO()
    workbook.save(out)
    assert upload(client, das, out.getvalue(), "tarieven.xlsx").status_code == 302
    amounts = sorted(t.amount_cents for t in db.session.scalars(db.select(Tariff)))
    assert amounts == [8_810, 10_050]


def test_a_broken_excel_file_is_refused(app: Flask, client: FlaskClient, admin_das) -> None:
    das, _ = admin_das
    page = upload(client, das, b"PK\x03\x04 kapot", "tarieven.xlsx").get_data(as_text=True)
    assert "Dit bestand kunnen we niet lezen" in page
    assert sheets() == 0


def figures(client: FlaskClient, das, year: int, **values: str):
    data = {
        "form": "figures",
        "year": str(year),
        "ova_prognosis": "",
        "ppc_prognosis": "",
        "ova_definitive": "",
        "ppc_definitive": "",
    }
    data.update(values)
    return client.post(f"/beheer/das/{das.slug}/indexcijfers", data=data)


@pytest.mark.real_pdf  # reads the PDF
def test_index_figures_and_the_2025_preview_and_publication(
    app: Flask, client: FlaskClient, admin_das, mailbox
) -> None:
    das, _ = admin_das
    upload(
        client,
        das,
        b"productcode,tarief\n45A01,100,00\n45A02,85,13\n".replace(b",00", b"").replace(
            b"85,13", b"85.13"
        ),
    )
    page = client.get(f"/beheer/das/{das.slug}/indexeren/2025").get_data(as_text=True)
    assert "Het indexcijfer OVA prognose van 2025 ontbreekt." in page

    figures(
        client,
        das,
        2024,
        ova_prognosis="4,94",
        ppc_prognosis="2,51",
        ova_definitive="6,00",
        ppc_definitive="3,10",
    )
    # Out of range needs a confirmation; what was typed stays.
    page = figures(client, das, 2025, ova_prognosis="41,8", ppc_prognosis="1,82")
    text = page.get_data(as_text=True)
    assert "ligt buiten -10% tot 25%" in text and 'value="41,8"' in text
    assert db.session.scalar(db.select(IndexFigure).where(IndexFigure.year == 2025)) is None
    page = figures(client, das, 2025, ova_prognosis="4,1x")
    assert "Schrijf een percentage, bijvoorbeeld 4,94." in page.get_data(as_text=True)
    figures(client, das, 2025, ova_prognosis="4,18", ppc_prognosis="1,82")
    # 2024 is the first indexed year here (the base tariffs are 2024 prices).
    client.post(
        f"/beheer/das/{das.slug}/indexcijfers",
        data={"form": "weights", "ova_weight": "90", "first_index_year": "2024"},
    )

    page = client.get(f"/beheer/das/{das.slug}/indexeren/2025").get_data(as_text=True)
    assert "Index 2025: 4,957%" in page
    assert "3,944%" in page and "1,013%" in page
    assert "€\xa0104,96" in page or "€ 104,96" in page
    assert sheets() == 1  # nothing published by the preview

    # A POST without the confirmation shows what will be published and to whom.
    page = client.post(f"/beheer/das/{das.slug}/indexeren/2025", data={}).get_data(as_text=True)
    assert "Bevestig de publicatie" in page and "Index 2025: 4,957%" in page
    assert sheets() == 1
    response = client.post(f"/beheer/das/{das.slug}/indexeren/2025", data={"confirmed": "ja"})
    assert response.status_code == 302
    sheet = db.session.scalar(db.select(TariffSheet).where(TariffSheet.year == 2025))
    assert sheet.index_total == Decimal("4.957")
    amounts = {t.product.code: (t.previous_cents, t.amount_cents) for t in sheet.tariffs}
    assert amounts == {"45A01": (10_000, 10_496), "45A02": (8_513, 8_935)}

    # The files hold the same figures.
    base = f"/das/{das.slug}/tarieven/{sheet.id}"
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}.csv").get_data(as_text=True))))
    assert {r["productcode"]: r["tarief_eur"] for r in rows} == {
        "45A01": "104.96",
        "45A02": "89.35",
    }
    workbook = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data))
    values = {row[1]: row[4] for row in workbook.active.iter_rows(min_row=5, values_only=True)}
    assert values == {"45A01": 104.96, "45A02": 89.35}
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(client.get(f"{base}.pdf").data)).pages
    )
    assert "Tarieven 2025" in text and "104,96" in text and "4,957" in text

    # A second click on the same confirmation publishes nothing.
    response = client.post(f"/beheer/das/{das.slug}/indexeren/2025", data={"confirmed": "ja"})
    assert "De tarieven voor 2025 zijn al gepubliceerd." in response.get_data(as_text=True)
    assert sheets() == 2
    # A published sheet is not changed: publishing again needs a correction note.
    response = client.post(
        f"/beheer/das/{das.slug}/indexeren/2025", data={"seen_sheet": str(sheet.id)}
    )
    assert "Schrijf wat de correctie verbetert." in response.get_data(as_text=True)
    figures(client, das, 2025, ova_prognosis="4,20", ppc_prognosis="1,82")
    correct = {
        "correction_note": "OVA-prognose 2025 was 4,20",
        "seen_sheet": str(sheet.id),
        "confirmed": "ja",
    }
    response = client.post(f"/beheer/das/{das.slug}/indexeren/2025", data=correct)
    assert response.status_code == 302
    # The same correction confirmed twice is published once.
    again = client.post(f"/beheer/das/{das.slug}/indexeren/2025", data=correct)
    assert "De tarieven voor 2025 zijn al gepubliceerd." in again.get_data(as_text=True)
    assert sheets() == 3
    correction = db.session.scalar(db.select(TariffSheet).order_by(TariffSheet.id.desc()))
    assert correction.version == 2
    assert correction.corrects_id == sheet.id and correction.index_total == Decimal("4.975")
    assert {t.product.code: t.amount_cents for t in sheet.tariffs}["45A01"] == 10_496
    old_page = client.get(base).get_data(as_text=True)
    assert "Dit blad is gecorrigeerd." in old_page


def test_public_products_and_tariffs(app: Flask, client: FlaskClient, admin_das) -> None:
    das, _ = admin_das
    product = das.lots[0].products[0]
    product.description = "**Licht** traject <script>alert(1)</script> [x](javascript:alert(1))"
    db.session.commit()
    upload(client, das, b"productcode,tarief\n45A01,100\n45A02,80\n", year=2025)
    public = app.test_client()
    page = public.get(f"/das/{das.slug}/producten").get_data(as_text=True)
    assert "<strong>Licht</strong>" in page
    assert "<script>alert(1)</script>" not in page and 'href="javascript' not in page
    assert "€\xa0100,00" in page or "€ 100,00" in page
    assert "2025" in public.get(f"/das/{das.slug}/tarieven").get_data(as_text=True)


def test_products_are_retired_not_deleted(app: Flask, client: FlaskClient, admin_das) -> None:
    das, _ = admin_das
    page = client.post(
        f"/beheer/das/{das.slug}/producten/nieuw",
        data={
            "lot": str(das.lots[0].id),
            "code": "45A0999",
            "name": "Te lang",
            "ijw_category": "45",
            "unit": "04",
        },
    ).get_data(as_text=True)
    assert "Een productcode bestaat uit 1 tot 5 letters of cijfers." in page
    assert "Te lang" in page
    page = client.post(
        f"/beheer/das/{das.slug}/producten/nieuw",
        data={
            "lot": str(das.lots[0].id),
            "code": "45a02",
            "name": "Dubbel",
            "ijw_category": "45",
            "unit": "04",
        },
    ).get_data(as_text=True)
    assert "Productcode 45A02 bestaat al" in page
    response = client.post(
        f"/beheer/das/{das.slug}/producten/nieuw",
        data={
            "lot": str(das.lots[0].id),
            "code": "45c01",
            "name": "Vaktherapie",
            "ijw_category": "45",
            "unit": "01",
            "description": "600 minuten in *8 maanden*",
        },
    )
    assert response.status_code == 302
    product = db.session.scalar(db.select(Product).where(Product.code == "45C01"))
    client.post(f"/beheer/das/{das.slug}/producten/{product.id}/beeindigen")
    db.session.refresh(product)
    assert product.valid_to is not None
    assert db.session.get(Product, product.id) is not None


def test_lump_sum_series(app: Flask, client: FlaskClient, admin_das) -> None:
    das, _ = admin_das
    municipality = factories.AuthorityFactory(name="Roermond")
    das.authorities = [municipality]
    db.session.commit()
    figures(
        client,
        das,
        2022,
        ova_definitive="3,0",
        ppc_definitive="10,0",
        ova_prognosis="2,0",
        ppc_prognosis="2,0",
    )
    figures(
        client,
        das,
        2023,
        ova_prognosis="5,0",
        ppc_prognosis="5,0",
        ova_definitive="6,0",
        ppc_definitive="4,0",
    )
    figures(client, das, 2024, ova_prognosis="4,0", ppc_prognosis="3,0")
    client.post(
        f"/beheer/das/{das.slug}/indexcijfers",
        data={"form": "weights", "ova_weight": "90", "first_index_year": "2023"},
    )
    page = client.post(
        f"/beheer/das/{das.slug}/lumpsums",
        data={"authority": str(municipality.id), "base_year": "2021", "amount": "veel"},
    )
    assert "Schrijf een bedrag" in page.get_data(as_text=True)
    client.post(
        f"/beheer/das/{das.slug}/lumpsums",
        data={"authority": str(municipality.id), "base_year": "2021", "amount": "1.000.000,00"},
    )
    text = client.get(f"/beheer/das/{das.slug}/lumpsums").get_data(as_text=True)
    for amount in ("1.037.000,00", "1.088.850,00", "1.140.025,95"):
        assert amount in text


def test_base_tariffs_by_hand_keep_what_was_typed(
    app: Flask,
    client: FlaskClient,
    admin_das,
) -> None:
    das, _ = admin_das
    first, second = (lot.products[0] for lot in das.lots)
    url = f"/beheer/das/{das.slug}/basistarieven"
    page = client.post(
        url, data={"year": "2024", f"p{first.id}": "100,00", f"p{second.id}": "tachtig"}
    ).get_data(as_text=True)
    assert "Schrijf een bedrag in euro, bijvoorbeeld 104,96." in page
    assert 'value="100,00"' in page and 'value="tachtig"' in page
    assert sheets() == 0
    typed = {"year": "2024", f"p{first.id}": "100,00", f"p{second.id}": "80"}
    page = client.post(url, data=typed).get_data(as_text=True)
    assert "bevestig de publicatie" in page and sheets() == 0
    response = client.post(url, data={**hidden_fields(page), "confirmed": "ja"})
    assert response.status_code == 302
    assert sorted(t.amount_cents for t in db.session.scalars(db.select(Tariff))) == [8_000, 10_000]


def test_lots_are_maintained(app: Flask, client: FlaskClient, admin_das) -> None:
    das, _ = admin_das
    page = client.post(
        f"/beheer/das/{das.slug}/percelen/nieuw", data={"code": "1", "name": "Dubbel"}
    ).get_data(as_text=True)
    assert "Perceel 1 bestaat al" in page
    response = client.post(
        f"/beheer/das/{das.slug}/percelen/nieuw", data={"code": "3", "name": "Vervoer"}
    )
    assert response.status_code == 302
    db.session.refresh(das)
    assert [lot.code for lot in das.lots] == ["1", "2", "3"]


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def stored(year: int) -> tuple:
    row = db.session.scalar(db.select(IndexFigure).where(IndexFigure.year == year))
    db.session.refresh(row)
    return (row.ova_prognosis, row.ppc_prognosis, row.ova_definitive, row.ppc_definitive)


def test_a_blank_field_never_erases_a_stored_figure(
    app: Flask, client: FlaskClient, admin_das
) -> None:
    """Issue 18: saving the form with blank fields erased the 2025 prognosis and said
    'opgeslagen'. Replays that POST."""
    das, _ = admin_das
    figures(client, das, 2025, ova_prognosis="4,18", ppc_prognosis="1,82")
    response = figures(client, das, 2025)  # every figure field blank
    assert response.status_code == 302
    assert stored(2025) == (D("4.18"), D("1.82"), None, None)
    page = client.get(response.location).get_data(as_text=True)
    assert "Er is niets veranderd aan de indexcijfers van 2025." in page
    assert len(events("index_figures.saved")) == 1  # nothing changed, nothing recorded

    # One figure typed: only that one changes, and the message says which.
    response = figures(client, das, 2025, ova_definitive="4,3")
    assert stored(2025) == (D("4.18"), D("1.82"), D("4.3"), None)
    page = client.get(response.location).get_data(as_text=True)
    assert "OVA definitief 2025 opgeslagen: 4,30%." in page
    audit = events("index_figures.saved")[-1].details
    assert audit["old"]["ova_definitive"] is None and audit["new"]["ova_definitive"] == "4.3"
    assert D(audit["new"]["ova_prognosis"]) == D("4.18")  # kept, and said so

    # Clearing is an explicit act, and a value next to a ticked box is refused.
    page = figures(client, das, 2025, ova_definitive="4,4", clear_ova_definitive="y").get_data(
        as_text=True
    )
    assert "Laat dit veld leeg als u het opgeslagen cijfer wist." in page
    assert stored(2025)[2] == D("4.3")
    response = figures(client, das, 2025, clear_ova_definitive="y")
    assert stored(2025) == (D("4.18"), D("1.82"), None, None)
    page = client.get(response.location).get_data(as_text=True)
    assert "OVA definitief 2025 gewist (was 4,30%)." in page
    audit = events("index_figures.saved")[-1].details
    assert audit["cleared"] == ["ova_definitive"] and audit["new"]["ova_definitive"] is None


def test_choosing_a_year_loads_its_stored_figures(
    app: Flask, client: FlaskClient, admin_das
) -> None:
    das, _ = admin_das
    figures(client, das, 2024, ova_prognosis="4,94", ppc_prognosis="2,51", ova_definitive="6")
    figures(client, das, 2025, ova_prognosis="4,18", ppc_prognosis="1,82")
    page = client.get(f"/beheer/das/{das.slug}/indexcijfers").get_data(as_text=True)
    assert "Cijfers 2024 bijwerken" in page and "Cijfers 2025 bijwerken" in page
    page = client.get(f"/beheer/das/{das.slug}/indexcijfers?jaar=2025").get_data(as_text=True)
    assert 'value="2025"' in page and 'value="4,18"' in page and 'value="1,82"' in page
    assert 'value="4,94"' not in page
    assert "Wis de opgeslagen OVA prognose" in page
    assert "Wis het opgeslagen OVA definitief" not in page  # nothing stored to erase
    page = client.get(f"/beheer/das/{das.slug}/indexcijfers?jaar=2024").get_data(as_text=True)
    assert 'value="4,94"' in page and 'value="6"' in page


@pytest.mark.real_pdf  # reads the PDF
def test_publishing_with_the_prognosis_alone_carries_the_correction(
    app: Flask, client: FlaskClient, admin_das, mailbox
) -> None:
    """A November decision for 2025: the definitive 2024 figures are not known yet. The
    correction of 2024 is carried into 2026 instead of blocking."""
    das, _ = admin_das
    upload(client, das, b"productcode,tarief\n45A01,100\n45A02,80\n", year=2024)
    figures(client, das, 2024, ova_prognosis="4,94", ppc_prognosis="2,51")
    figures(client, das, 2025, ova_prognosis="4,18", ppc_prognosis="1,82")
    client.post(
        f"/beheer/das/{das.slug}/indexcijfers",
        data={"form": "weights", "ova_weight": "90", "first_index_year": "2024"},
    )
    url = f"/beheer/das/{das.slug}/indexeren/2025"
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "Index 2025: 3,944%" in page
    assert "correctie 2024 nog niet bekend; wordt verrekend in 2026" in page
    assert client.post(url, data={"confirmed": "ja"}).status_code == 302
    sheet = db.session.scalar(db.select(TariffSheet).where(TariffSheet.year == 2025))
    assert sheet.index_total == D("3.944") and sheet.outstanding == (2024,)
    audit = events("tariff_sheet.published")[-1].details
    assert audit["outstanding_years"] == [2024] and audit["corrected_years"] == []
    public = html.unescape(client.get(f"/das/{das.slug}/tarieven/{sheet.id}").get_data(True))
    assert "correctie 2024 nog niet bekend; wordt verrekend in 2026" in public
    workbook = load_workbook(
        io.BytesIO(client.get(f"/das/{das.slug}/tarieven/{sheet.id}.xlsx").data)
    )
    second_row = next(workbook.active.iter_rows(min_row=2, max_row=2, values_only=True))
    cells = list(second_row)
    at = cells.index("Openstaande nacalculatie")
    assert cells[at : at + 4] == ["Openstaande nacalculatie", "2024", "Verrekening in", "2026"]
    text = "".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(client.get(f"/das/{das.slug}/tarieven/{sheet.id}.pdf").data)
        ).pages
    )
    assert "2024 nog niet bekend" in text

    # 2026: the definitive 2024 figures are known now, 2025's not yet. 2024's correction is
    # settled (1,013), 2025's carried on: 0.9*3.10 + 0.1*2.40 + 1.013 = 4.043.
    figures(client, das, 2024, ova_definitive="6,00", ppc_definitive="3,10")
    figures(client, das, 2026, ova_prognosis="3,10", ppc_prognosis="2,40")
    url = f"/beheer/das/{das.slug}/indexeren/2026"
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "Index 2026: 4,043%" in page
    assert "verschil definitief en prognose 2024" in page
    assert "correctie 2025 nog niet bekend; wordt verrekend in 2027" in page
    assert client.post(url, data={"confirmed": "ja"}).status_code == 302
    sheet_2026 = db.session.scalar(db.select(TariffSheet).where(TariffSheet.year == 2026))
    assert (sheet_2026.corrected, sheet_2026.outstanding) == ((2024,), (2025,))
    assert sheet_2026.correction_part == D("1.013")


def test_the_confirmation_names_the_recipients_and_mails_once(
    app: Flask, client: FlaskClient, admin_das, mailbox
) -> None:
    das, _ = admin_das
    calendar.ensure_statutory_holidays(range(2026, 2030))
    db.session.commit()
    provider = factories.ProviderUserFactory()
    factories.admit(das, provider, date(2027, 3, 15), live=True)
    mailed_before = len(mailbox.to(provider.email))  # admission and agreement
    login(client, admin_das[1])
    response = upload(client, das, b"productcode,tarief\n45A01,100\n45A02,80\n", confirm=False)
    page = html.unescape(response.get_data(as_text=True))
    assert "bevestig de publicatie" in page
    assert provider.organisation.display_name in page
    assert "aanbieders: 1, e-mailadressen: 1" in page
    assert sheets() == 0 and len(mailbox.to(provider.email)) == mailed_before
    confirm = {**hidden_fields(response.get_data(as_text=True)), "confirmed": "ja"}
    url = f"/beheer/das/{das.slug}/basistarieven"
    assert client.post(url, data=confirm).status_code == 302
    # The second click of a double click: refused, nothing published or mailed again.
    again = client.post(url, data=confirm).get_data(as_text=True)
    assert "De tarieven voor 2024 zijn al gepubliceerd." in again
    assert sheets() == 1
    assert len(mailbox.to(provider.email)) == mailed_before + 1
