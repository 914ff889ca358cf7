"""Amounts up to EUR 10 billion. Cents were 32-bit, so anything above
EUR 21.474.836,47 was refused, while the region's yearly budget is EUR 51.1M (seed 003). The
columns are 64-bit now (migration 0013); the cap is a business one, with a Dutch error above it.
On SQLite and PostgreSQL."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.domain import money
from portal.extensions import db
from portal.models import Das, DasState, KpiValue, LumpSum, Role
from portal.pages.messages import message_for
from portal.services import Problem, RowError, agreements, kpis, tariffs
from tests import factories
from tests.factories import at
from tests.support.app import login
from tests.views.test_das_terms import FORM as TERMS_FORM

BUDGET = "51.100.000,00"
BUDGET_CENTS = 5_110_000_000
TOO_LARGE = "Dit bedrag is te hoog: het hoogste bedrag is € 10.000.000.000,00."


@pytest.fixture()
def lump_sum_page(app: Flask, client: FlaskClient) -> tuple[str, int]:
    das = factories.DasFactory()
    das.authorities = [factories.AuthorityFactory(name="Roermond")]
    db.session.commit()
    login(client, factories.UserFactory(role=Role.ADMINISTRATOR))
    return f"/beheer/das/{das.slug}/lumpsums", das.authorities[0].id


def text(response) -> str:
    """The page as a reader sees it (amounts are written with a no-break space after the €)."""
    return html.unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def lump_sums() -> list[int]:
    return list(db.session.scalars(db.select(LumpSum.base_cents)))


@pytest.mark.parametrize(
    ("typed", "cents"),
    [(BUDGET, BUDGET_CENTS), ("€ 10.000.000.000,00", money.MAX_CENTS)],
    ids=["the region's budget", "the cap"],
)
def test_a_lump_sum_of_the_regions_budget_is_saved_and_reads_back(
    client: FlaskClient, lump_sum_page: tuple[str, int], typed: str, cents: int
) -> None:
    url, authority_id = lump_sum_page
    response = client.post(
        url, data={"authority": str(authority_id), "base_year": "2026", "amount": typed}
    )
    assert response.status_code == 302
    assert lump_sums() == [cents]
    page = text(client.get(url))
    assert typed.removeprefix("€ ") in page


@pytest.mark.parametrize("typed", ["10.000.000.000,01", "92233720368547758,08", "9" * 5000 + ",00"])
def test_an_amount_beyond_the_cap_gets_a_dutch_error(
    client: FlaskClient, lump_sum_page: tuple[str, int], typed: str
) -> None:
    url, authority_id = lump_sum_page
    response = client.post(
        url, data={"authority": str(authority_id), "base_year": "2026", "amount": typed}
    )
    assert response.status_code == 200
    assert TOO_LARGE in text(response)
    assert lump_sums() == []


def test_sroi_amounts_of_the_regions_budget_are_accepted(
    client: FlaskClient,
    reporting,
) -> None:
    das, provider, agreement, _manager = reporting
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    agreements.sign(agreement, provider, factories.PASSWORD, "1.1.1.1", at(date(2024, 1, 9)))
    agreements.countersign(agreement, admin, factories.PASSWORD, "1.1.1.2", at(date(2024, 1, 9)))

    login(client, provider)
    url = f"/aanbieder/overeenkomsten/{agreement.id}/sroi"
    page = client.post(url, data={"year": "2024", "activity": "Leerwerkplekken", "amount": BUDGET})
    assert page.status_code == 302
    assert kpis.sroi_reports_of(agreement)[0].amount_cents == BUDGET_CENTS
    assert BUDGET in text(client.get(url))
    page = client.post(
        url, data={"year": "2024", "activity": "Te veel", "amount": "10.000.000.000,01"}
    )
    assert TOO_LARGE in text(page)

    # The threshold is a term of the DAS, set on its terms page (issue 19): a concept DAS's.
    concept = factories.DasFactory(state=DasState.DRAFT)
    login(client, admin)
    response = client.post(
        f"/beheer/das/{concept.slug}/voorwaarden", data={**TERMS_FORM, "sroi_threshold": BUDGET}
    )
    assert response.status_code == 302
    assert db.session.get_one(Das, concept.id).sroi_threshold_cents == BUDGET_CENTS


def test_a_tariff_file_beyond_the_cap_names_the_row(app: Flask) -> None:
    das = factories.DasFactory()
    rows = [["productcode", "tarief"], ["45A01", "10.000.000.000,01"], ["45A02", BUDGET]]
    amounts, errors = tariffs.parse_tariff_rows(das, rows)
    assert errors == [
        RowError(
            2,
            Problem(
                "amount_above_maximum",
                text="10.000.000.000,01",
                maximum=money.Amount(money.MAX_CENTS),
            ),
        )
    ]
    with app.test_request_context():
        assert message_for(errors[0].problem).replace("\xa0", " ") == (
            "'10.000.000.000,01' is meer dan het hoogste bedrag (€ 10.000.000.000,00)."
        )
    assert list(amounts.values()) == [BUDGET_CENTS]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1.234,5", Decimal("1234.50")),  # the provider's form read 1234.5, the manager's refused
        ("1234,5", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("€ 1.234,50", Decimal("1234.50")),
        ("7,25", Decimal("7.25")),
        ("1.234", None),  # a thousand and some, or one and a bit: both refuse it
        ("1,234", None),
        ("12,345", None),
        ("veel", None),
    ],
)
def test_the_providers_form_and_the_managers_correction_read_a_figure_alike(
    client: FlaskClient,
    reporting,
    typed: str,
    stored: Decimal | None,
) -> None:
    das, provider, agreement, manager = reporting
    turnover = next(d for d in kpis.definitions_of(das.id) if d.code == "TURNOVER")

    def value_of(period_start: date) -> Decimal | None:
        return db.session.scalar(
            db.select(KpiValue.value).where(
                KpiValue.definition_id == turnover.id, KpiValue.period_start == period_start
            )
        )

    login(client, provider)
    client.post(
        f"/aanbieder/overeenkomsten/{agreement.id}/kpi",
        data={"jaar": "2024", f"kpi{turnover.id}_2024-04-01": typed},
    )
    login(client, manager)
    page = client.post(
        f"/contracten/{agreement.id}/kpi/correctie",
        data={"kpi": str(turnover.id), "period": "2024-K3", "value": typed, "reason": "Nagebeld"},
    )
    assert value_of(date(2024, 4, 1)) == value_of(date(2024, 7, 1)) == stored
    if stored is None:
        assert "Schrijf een getal met hoogstens twee decimalen" in text(page)
