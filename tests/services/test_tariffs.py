"""Tariff services: a blank figure keeps the stored one; a sheet is published once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import Role, TariffSheet
from portal.services import ServiceError, tariffs
from tests import factories

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_blank_keeps_and_clear_erases(app: Flask) -> None:
    das = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    tariffs.save_figures(
        admin, das, tariffs.FiguresInput(2025, D("4.18"), D("1.82"), None, None), False
    )
    assert (
        tariffs.save_figures(admin, das, tariffs.FiguresInput(2025, None, None, None, None), False)
        == []
    )
    row = tariffs.figures_for_year(das.id, 2025)
    assert (row.ova_prognosis, row.ppc_prognosis) == (D("4.18"), D("1.82"))
    # A zero is a figure, not a blank.
    changes = tariffs.save_figures(
        admin,
        das,
        tariffs.FiguresInput(2025, None, D(0), None, None),
        False,
        clear=["ova_prognosis"],
    )
    assert [(c.figure, c.new) for c in changes] == [
        ("ova_prognosis", None),
        ("ppc_prognosis", D(0)),
    ]
    with pytest.raises(ServiceError) as refused:
        tariffs.save_figures(
            admin,
            das,
            tariffs.FiguresInput(2025, D(1), None, None, None),
            False,
            clear=["ova_prognosis"],
        )
    assert refused.value.code == "figure_clear_and_given"


def test_two_publications_that_pass_the_check_at_once_publish_one_sheet(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click: both requests check before either has written. The database holds
    (DAS, year, version) unique, so the second is refused, not published (or mailed) twice."""
    das = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    amounts = {p.id: 10_000 for lot in das.lots for p in lot.products}
    monkeypatch.setattr(tariffs, "_check_correction", lambda *args: None)
    tariffs.publish_base(admin, das, 2026, amounts, NOW)
    with pytest.raises(ServiceError) as refused:
        tariffs.publish_base(admin, das, 2026, amounts, NOW)
    assert refused.value.code == "sheet_exists"
    assert db.session.scalar(db.select(db.func.count()).select_from(TariffSheet)) == 1
