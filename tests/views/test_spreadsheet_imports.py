"""Spreadsheet bombs against every import route. A 4.9 KB workbook declaring
the range A1:XFD1048576, posted to the KPI upload, made a worker grow to 1.2 GB and fail with
a 500. Now each import answers 422 with the limit in Dutch, stores nothing, and the request's
Python allocations peak below 50 MB (tracemalloc; the process may not grow by more than 1 GB
meanwhile, so a regression fails with MemoryError instead of exhausting the machine)."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import KpiValue, Role, TariffSheet
from portal.services import kpis
from tests import factories
from tests.factories import admit
from tests.support import spreadsheets as bombs
from tests.support.app import login

# The limits the portal promises (portal/infra/spreadsheets.py, Limits).
MAX_ROWS, MAX_COLUMNS, MAX_UNPACKED_MB = 5_000, 50, 50
TOO_MANY_ROWS = f"Dit bestand heeft meer dan {MAX_ROWS} regels."
TOO_MANY_COLUMNS = f"Dit bestand heeft meer dan {MAX_COLUMNS} kolommen."
UNPACKS_TOO_BIG = f"uitgepakt is het groter dan {MAX_UNPACKED_MB} MB"

# (the file, its name, the Dutch refusal)
ATTACKS: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "dimension bomb": (bombs.dimension_bomb, "cijfers.xlsx", TOO_MANY_ROWS),
    "zip bomb": (bombs.zip_bomb, "cijfers.xlsx", UNPACKS_TOO_BIG),
    "xlsx, too many rows": (
        lambda: bombs.wide_or_long_xlsx(MAX_ROWS + 1, 3),
        "cijfers.xlsx",
        TOO_MANY_ROWS,
    ),
    "xlsx, too many columns": (
        lambda: bombs.wide_or_long_xlsx(1, MAX_COLUMNS + 1),
        "cijfers.xlsx",
        TOO_MANY_COLUMNS,
    ),
    "csv, too many rows": (
        lambda: b"kpi,periode,waarde\n" + b"CLIENTS,2024-K1,3\n" * MAX_ROWS,
        "cijfers.csv",
        TOO_MANY_ROWS,
    ),
    "csv, too many columns": (
        lambda: b",".join([b"kpi", b"periode", b"waarde"] * 17) + b"\n",
        "cijfers.csv",
        TOO_MANY_COLUMNS,
    ),
}


# A route under attack: its URL, how many rows it has stored, the other form fields it needs.
Target = tuple[str, Callable[[], int], dict[str, str]]


def _kpi_upload(app: Flask, client: FlaskClient) -> Target:
    das = factories.DasFactory(term_start=date(2024, 1, 1))
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2024, 1, 8))
    login(client, provider)
    return (
        f"/aanbieder/overeenkomsten/{agreement.id}/kpi/bestand",
        lambda: db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) or 0,
        {},
    )


def _tariff_import(app: Flask, client: FlaskClient) -> Target:
    das = factories.DasFactory()
    login(client, factories.UserFactory(role=Role.ADMINISTRATOR))
    return (
        f"/beheer/das/{das.slug}/tarieven",
        lambda: db.session.scalar(db.select(db.func.count()).select_from(TariffSheet)) or 0,
        {"year": "2024"},
    )


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("route", [_kpi_upload, _tariff_import], ids=["kpi upload", "tariffs"])
def test_every_import_refuses_spreadsheet_bombs(
    app: Flask,
    client: FlaskClient,
    route: Callable[[Flask, FlaskClient], Target],
    attack: str,
) -> None:
    url, stored, fields = route(app, client)
    build, filename, refusal = ATTACKS[attack]
    content = build()
    with bombs.memory_peak() as peak:
        response = client.post(
            url,
            data={**fields, "file": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert refusal in page
    assert 'id="file-error"' in page  # said at the field, as well as at the top
    assert stored() == 0
    assert peak.megabytes < 50
