"""CSV and Excel formula injection. An organisation's name, a KPI reason or a
person's name landed as they were in the CSV exports and as real formula cells
(<f>HYPERLINK(...)</f>) in the Excel ones. This test finds every route that answers with a CSV or
Excel file by calling every GET route in the URL map (each value of an `any(...)` part, every
role that may see it), with hostile text in every field those files show, and checks each file:
no CSV cell starts a formula (also where a Dutch Excel, which splits on ';', starts a cell), and
no Excel cell is a formula."""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.routing import AnyConverter, Rule

import portal
from portal.extensions import db
from portal.models import (
    AgreementLot,
    AgreementState,
    Application,
    ApplicationState,
    FrameworkAgreement,
    IjwUnit,
    KpiValue,
    Product,
    Role,
    TalkKind,
)
from portal.services import kpis, tariffs
from tests import factories
from tests.support.app import login

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "Zorg;=1+1",  # a new cell in a Dutch Excel
    "Zorg\n@SUM(A1)",  # a new row in a Dutch Excel
]
# Spreadsheets read these as formulas; a number written as text ("-12.50") is no formula.
FORMULA = re.compile(r"[=+\-@\t\r]")
NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)*")
FILE_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# A path part that takes any name is tried with the names the portal's files have had.
FREE_PARTS = {
    "kind": ["csv", "xlsx"],
    "table": ["cijfers", "gesprekken", "percelen", "gemeenten", "sroi"],
}


def _hostile() -> Iterator[str]:
    return itertools.cycle(HOSTILE)


@pytest.fixture()
def hostile_world(app: Flask):
    """A DAS whose every provider-entered (and staff-entered) text is hostile: organisation
    names, people's names, KPI reasons, contract talks, municipalities, lots, products."""
    text = _hostile()
    das = factories.DasFactory(name=next(text))
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    das.authorities = [factories.AuthorityFactory(name=h) for h in HOSTILE]
    for lot in das.lots:
        lot.name = next(text)
    for number, name in enumerate(HOSTILE):
        db.session.add(
            Product(
                lot_id=das.lots[0].id,
                code=f"99X{number:02d}",
                name=name,
                ijw_category="99",
                unit=IjwUnit.HOUR,
            )
        )
    db.session.commit()
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER, name=next(text))
    admin = factories.UserFactory(role=Role.ADMINISTRATOR, name=next(text))
    factories.assign(manager, das)
    agreements = []
    for number, name in enumerate(HOSTILE):
        provider = factories.ProviderUserFactory(organisation__legal_name=name, name=next(text))
        agreement = FrameworkAgreement(
            reference=f"H-{number}",
            das_id=das.id,
            organisation_id=provider.organisation_id,
            state=AgreementState.LIVE,
            start_date=date(2024, 1, 8),
            end_date=date(2029, 12, 31),
        )
        db.session.add(agreement)
        db.session.flush()
        clients = next(d for d in kpis.definitions_of(das.id) if d.code == "CLIENTS")
        for quarter in range(4):
            db.session.add(
                KpiValue(
                    agreement_id=agreement.id,
                    definition_id=clients.id,
                    period_start=date(2024, 1 + 3 * quarter, 1),
                    value=10 + quarter,
                    reason=next(text),
                    reported_at=datetime(2024, 12, 1, tzinfo=UTC),
                    reported_by_id=provider.id,
                )
            )
        db.session.commit()
        kpis.log_talk(
            manager,
            agreement,
            TalkKind.ACCOUNT,
            date(2025, 3, 1),
            next(text),
            next(text),
            [(next(text), next(text), date(2025, 4, 1))],
        )
        # In the waiting-time register too, with a hostile note, for a hostile municipality.
        db.session.add(
            AgreementLot(
                agreement_id=agreement.id,
                lot_id=das.lots[0].id,
                admitted_on=date(2024, 1, 8),
                application_id=_decided_application(das, provider).id,
            )
        )
        db.session.commit()
        factories.add_waiting_time(
            agreement,
            das.lots[0],
            datetime.now(UTC),
            authority=das.authorities[number],
            note=next(text),
        )
        agreements.append((agreement, provider))
    tariffs.publish_base(
        admin,
        das,
        2025,
        {p.id: 100_00 for lot in das.lots for p in lot.products},
        datetime(2025, 1, 2, tzinfo=UTC),
    )
    return das, agreements, admin


def _decided_application(das, provider) -> Application:
    """A row for the application an agreement lot names (a draft, so no review page or export
    reads it as a decided one: only the register needs the lot)."""
    application = Application(
        das_id=das.id,
        organisation_id=provider.organisation_id,
        state=ApplicationState.DRAFT,
        created_by_id=provider.id,
    )
    db.session.add(application)
    db.session.flush()
    return application


def _urls(rule: Rule, ids: dict[str, object]) -> list[str]:
    """Every URL of a rule: each value of an `any(...)` part, the scenario's ids elsewhere."""
    choices = {
        name: sorted(converter.items)
        if isinstance(converter, AnyConverter)
        else FREE_PARTS.get(name, [ids.get(name, 1)])
        for name, converter in rule._converters.items()
    }
    urls = []
    for values in itertools.product(*choices.values()):
        _, path = rule.build(dict(zip(choices, values, strict=True)), append_unknown=False)
        urls.append(path)
    return urls


def _exports(app: Flask, clients: list[FlaskClient], ids: dict[str, object]) -> dict[str, bytes]:
    """Every CSV or Excel file any GET route serves, by URL, asked as each role in turn."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for url in _urls(rule, ids):
            for client in clients:
                response = client.get(url)
                if response.status_code == 200:
                    if response.mimetype in FILE_TYPES:
                        found[url] = response.data
                    break  # this role may see it: the others need not ask
    return found


def _csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    # A Dutch Excel splits on ';' and at line breaks, and a quote within a field is text to it.
    dutch = [piece.lstrip('"') for piece in re.split(r"[;\r\n]", text)]
    return cells + dutch


def _xlsx_cells(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name
    workbook = load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for cell in itertools.chain.from_iterable(sheet.iter_rows()):
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert (
                    cell.quotePrefix
                    or not FORMULA.match(cell.value)
                    or NUMBER.fullmatch(cell.value)
                ), (cell.coordinate, cell.value)
                values.append(cell.value)
    return values


# Files with fixed content: the example of an import's layout.
FIXED_EXAMPLES = {"contracts.sroi_turnover_example"}


def test_every_csv_and_excel_export_is_free_of_formulas(app: Flask, hostile_world) -> None:
    das, agreements, admin = hostile_world
    staff, provider = app.test_client(), app.test_client()
    login(staff, admin)
    login(provider, agreements[0][1])
    sheet = tariffs.current_sheet(das.id, 2025)
    ids = {
        "slug": das.slug,
        "agreement_id": agreements[0][0].id,
        "sheet_id": sheet.id,
        "lot_id": das.lots[0].id,
        "product_id": das.lots[0].products[0].id,
        "year": 2025,
        "token": "ongeldig",
    }
    exports = _exports(app, [staff, provider], ids)

    # The files the portal serves today; a new one shows up here and is checked below.
    endpoints = {app.url_map.bind("localhost").match(url)[0] for url in exports}
    assert endpoints >= {
        "contracts.export",
        "contracts.overview_export",
        "contracts.dashboard_export",
        "public.tariff_sheet_file",
    }
    assert len(exports) >= 16
    for url, content in exports.items():
        if url.endswith(".xlsx") or content[:2] == b"PK":
            cells = _xlsx_cells(content)
        else:
            cells = _csv_cells(content)
            dangerous = [c for c in cells if FORMULA.match(c) and not NUMBER.fullmatch(c)]
            assert dangerous == [], url
        # Each file did show hostile text: the test exercised it (but for the example files,
        # whose content is fixed and holds nobody's data).
        if app.url_map.bind("localhost").match(url)[0] not in FIXED_EXAMPLES:
            assert any(h.strip() in c for c in cells for h in HOSTILE), url


def test_only_portal_spreadsheets_writes_csv_or_excel() -> None:
    """One home for the rule: no other module writes a CSV or Excel file, or serves one."""
    from pathlib import Path

    root = Path(portal.__file__).parent
    writers = re.compile(
        r"csv\.writer|csv\.DictWriter|Workbook\(|text/csv|spreadsheetml|WriteOnlyCell"
    )
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "spreadsheets.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
