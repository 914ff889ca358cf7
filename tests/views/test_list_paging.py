"""Issue 21: every paged list answers at 0 rows, 1 row, exactly one page and more than one page,
with and without its filters: the count above the list is what it lists, page 2 of more than a
page shows the rest, page 2 of one page is a 404, and the pager's links keep the filters.

Two rows to a page. With a filter, rows the filter leaves out are added, so a count that forgets
the filter (or, as the register's did, its FROM) shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    AgreementLot,
    AgreementState,
    Das,
    EvidenceType,
    FrameworkAgreement,
    Lot,
    Role,
    User,
)
from portal.services import calendar
from tests import factories
from tests.support.app import login

PER_PAGE = 2


@dataclass(frozen=True)
class Shown:
    """What a case built: who looks, where, with which query (the filter, if any)."""

    viewer: User | None
    url: str
    query: dict[str, object]


def _agreement(das: Das, n: int, state: AgreementState = AgreementState.LIVE) -> FrameworkAgreement:
    agreement = FrameworkAgreement(
        das=das,
        organisation_id=factories.OrganisationFactory(
            legal_name=f"Aanbieder {state.value} {n:02d}"
        ).id,
        reference=f"RO-P-{das.id}-{state.value[:3]}-{n:03d}",
        state=state,
        start_date=das.term_start,
        end_date=das.common_end_date,
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def _register(das: Das, count: int, filtered: bool) -> Shown:
    for n in range(count):
        _agreement(das, n)
    if filtered:
        for n in range(2):
            _agreement(das, n, AgreementState.SUSPENDED)
    db.session.commit()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    return Shown(admin, "/contracten/", {"state": "live"} if filtered else {})


def _admissions(path: str) -> Callable[[Das, int, bool], Shown]:
    def make(das: Das, count: int, filtered: bool) -> Shown:
        lot_one, lot_two = das.lots
        # Each admission names the application it came from; one serves them all here.
        application = factories.submitted_application(
            das, factories.ProviderUserFactory(), date(2024, 1, 8)
        )

        def admitted(n: int, lot: Lot) -> None:
            agreement = _agreement(das, n + 100 * lot.position)
            db.session.add(
                AgreementLot(
                    agreement_id=agreement.id,
                    lot_id=lot.id,
                    admitted_on=date(2024, 1, 8 + n),
                    application_id=application.id,
                )
            )

        for n in range(count):
            admitted(n, lot_one)
        if filtered:
            for n in range(2):
                admitted(n, lot_two)
        db.session.commit()
        return Shown(None, f"/das/{das.slug}/{path}", {"perceel": lot_one.id} if filtered else {})

    return make


def _sroi_rows(das: Das, count: int, filtered: bool) -> Shown:
    for n in range(count):
        _agreement(das, n)
    if filtered:  # ended agreements owe nothing: not in the table
        for n in range(2):
            _agreement(das, n, AgreementState.ENDED)
    db.session.commit()
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    query: dict[str, object] = {"jaar": 2026, "gewicht_omzet": 2} if filtered else {}
    return Shown(manager, f"/contracten/das/{das.slug}/overzicht", query)


def _documents(das: Das, count: int, filtered: bool) -> Shown:
    provider = factories.ProviderUserFactory()
    for _n in range(count):
        factories.upload_pdf(provider, EvidenceType.INSURANCE_POLICY, date(2025, 1, 1))
    if filtered:  # another provider's documents are never in the list
        other = factories.ProviderUserFactory()
        for _n in range(2):
            factories.upload_pdf(other, EvidenceType.INSURANCE_POLICY, date(2025, 1, 1))
    db.session.commit()
    return Shown(provider, "/aanbieder/documenten", {"terug": "/aanbieder/"} if filtered else {})


def _review_queue(das: Das, count: int, filtered: bool) -> Shown:
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    for _n in range(count):
        factories.submitted_application(das, factories.ProviderUserFactory(), date(2024, 3, 4))
    if filtered:
        other = factories.DasFactory(term_start=das.term_start)
        factories.assign(reviewer, other)
        for _n in range(2):
            factories.submitted_application(
                other, factories.ProviderUserFactory(), date(2024, 3, 4)
            )
    db.session.commit()
    return Shown(reviewer, "/beoordeling/", {"das": das.id} if filtered else {})


CASES: dict[str, Callable[[Das, int, bool], Shown]] = {
    "contract-register": _register,
    "public-providers": _admissions("aanbieders"),
    "public-award-notices": _admissions("gunningen"),
    "das-overview-sroi": _sroi_rows,
    "provider-documents": _documents,
    "review-queue": _review_queue,
}


def _pager(page: str) -> str | None:
    nav = re.search(r'<nav class="pagination".*?</nav>', page, re.S)
    return nav.group(0) if nav else None


@pytest.fixture()
def das(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Das:
    calendar.ensure_statutory_holidays(range(2024, 2028))
    db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", PER_PAGE)
    return factories.DasFactory(term_start=date(2024, 1, 1))


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "filtered"])
@pytest.mark.parametrize(
    "count", [0, 1, PER_PAGE, PER_PAGE + 1], ids=["none", "one", "one-page", "two-pages"]
)
@pytest.mark.parametrize("case", list(CASES))
def test_paging(client: FlaskClient, das: Das, case: str, count: int, filtered: bool) -> None:
    shown = CASES[case](das, count, filtered)
    if shown.viewer is not None:
        login(client, shown.viewer)
    first = client.get(shown.url, query_string=shown.query)
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    pager = _pager(page)
    if count <= PER_PAGE:
        assert pager is None  # one page: no pager
        assert client.get(shown.url, query_string={**shown.query, "pagina": 2}).status_code == 404
        return
    assert pager is not None and f"1–{PER_PAGE} van {count}" in pager
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', pager)]
    for key, value in shown.query.items():
        assert all(parse_qs(urlsplit(link).query)[key] == [str(value)] for link in links), links
    second = client.get(next(link for link in links if "pagina=2" in link))
    assert second.status_code == 200
    assert f"{PER_PAGE + 1}–{count} van {count}" in second.get_data(as_text=True)
    assert client.get(shown.url, query_string={**shown.query, "pagina": 3}).status_code == 404
