"""The SROI reference turnover (issue 21, seed 003 §4.4): entered or imported per provider and
year by the contract managers, also for years before the agreement, so that an obligation can
arise in the first year; the obligation of each year under that year's rule; an import with a
wrong line refused with its line number and nothing stored."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask

from portal.domain import das_terms as rules
from portal.domain.contract_management import ReportKind, SroiStatus
from portal.extensions import db
from portal.infra import spreadsheets
from portal.models import AuditEvent, PrivacyRole, Role, SroiTurnover, TurnoverSource
from portal.services import ServiceError, calendar, das_terms, kpis
from tests import factories
from tests.factories import admit, at

TODAY = date(2026, 3, 2)  # in the first year of the term (seed 003: from 1 January 2026)


@pytest.fixture()
def turnover_setting(app: Flask):
    """A published DAS running from 2026 (250,000 / 5%, the year before), two live agreements
    from January 2026 (providers with an AGB code and a KvK number) and its contract manager:
    (das, manager, first, second)."""
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory(
        term_start=date(2026, 1, 1),
        initial_end_date=date(2029, 12, 31),
        first_index_year=2026,
        privacy_role=PrivacyRole.INDEPENDENT_CONTROLLER,
        allocation_who_chooses="Ouders kiezen met de toegang.",
        allocation_request="Via een 301-bericht.",
        allocation_no_capacity="Binnen vijf werkdagen melden.",
        published_at=at(date(2025, 3, 1)),
    )
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    kpis.ensure_default_kpis(admin, das)
    db.session.commit()
    first = admit(
        das, _provider("12345678", "87654321", "Aanbieder Een"), date(2026, 1, 5), live=True
    )
    second = admit(das, _provider(None, "11223344", "Aanbieder Twee"), date(2026, 1, 5), live=True)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    db.session.commit()
    return das, manager, first, second


def _provider(agb: str | None, kvk: str, name: str):
    return factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(agb_code=agb, kvk_number=kvk, legal_name=name)
    )


def _stored() -> dict[tuple[int, int], int]:
    return {
        (row.agreement_id, row.year): row.amount_cents
        for row in db.session.scalars(db.select(SroiTurnover))
    }


def _obligations(das, year: int, today: date) -> dict[int, int | None]:
    """The obligation per agreement, from the paged table and from the whole overview, which
    must agree."""
    paged = {a.id: o for a, o, _d, _s in kpis.sroi_page(das, year, today, 1, 25).items}
    whole = {
        a.id: o for a, o, _d, _s in kpis.das_overview(das, year, today, Decimal(1), Decimal(1)).sroi
    }
    assert paged == whole
    return paged


# --- entering one turnover ------------------------------------------------------------------


def test_a_turnover_before_the_agreement_makes_an_obligation_in_the_first_year(
    turnover_setting,
) -> None:
    das, manager, first, second = turnover_setting
    # Without the reference turnover nobody owes anything in 2026: the agreements began then.
    assert _obligations(das, 2026, TODAY) == {first.id: None, second.id: None}
    kpis.save_turnover(manager, first, 2025, 500_000_00, TODAY, at(TODAY))
    kpis.save_turnover(manager, second, 2025, 250_000_00, TODAY, at(TODAY))  # not above
    assert _stored() == {(first.id, 2025): 500_000_00, (second.id, 2025): 250_000_00}
    assert _obligations(das, 2026, TODAY) == {first.id: 25_000_00, second.id: None}
    # The provider's own view says the same, with where the figure comes from.
    this_year = kpis.yearly_obligations(first, TODAY)[0]
    assert (this_year.year, this_year.measured_year, this_year.turnover_cents) == (
        2026,
        2025,
        500_000_00,
    )
    assert this_year.entered and this_year.obligation_cents == 25_000_00
    assert this_year.status is SroiStatus.OBLIGED
    # Entering the year again corrects it; the audit trail keeps both entries.
    kpis.save_turnover(manager, first, 2025, 200_000_00, TODAY, at(TODAY))
    assert _stored()[(first.id, 2025)] == 200_000_00
    assert _obligations(das, 2026, TODAY)[first.id] is None
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "sroi.turnover_entered")
    ).all()
    assert len(events) == 3


@pytest.mark.parametrize(
    ("year", "today", "allowed"),
    [
        (2025, TODAY, True),  # the year before the term: the first year is measured on it
        (2024, TODAY, False),  # no obligation of the term is ever measured on it
        (2026, TODAY, False),  # not over yet
        (2026, date(2027, 1, 4), True),
        (2030, date(2031, 1, 2), True),
    ],
)
def test_which_years_a_turnover_may_be_entered_for(
    turnover_setting, year: int, today: date, allowed: bool
) -> None:
    das, manager, first, _second = turnover_setting
    if allowed:
        kpis.save_turnover(manager, first, year, 300_000_00, today, at(today))
        assert _stored() == {(first.id, year): 300_000_00}
    else:
        with pytest.raises(ServiceError) as refused:
            kpis.save_turnover(manager, first, year, 300_000_00, today, at(today))
        assert refused.value.code == "turnover_year_outside"
        assert refused.value.params == {"year": year, "first": 2025, "last": today.year - 1}
        assert _stored() == {}


def test_only_the_contract_managers_of_the_das_enter_turnover(turnover_setting) -> None:
    das, _manager, first, _second = turnover_setting
    elsewhere = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(elsewhere, factories.DasFactory())
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    provider = factories.ProviderUserFactory(organisation=first.organisation)
    for intruder in (elsewhere, reviewer, provider):
        with pytest.raises(ServiceError) as refused:
            kpis.save_turnover(intruder, first, 2025, 1_000_000_00, TODAY, at(TODAY))
        assert refused.value.code == "not_found"
        rows = [["kvk_nummer", "jaar", "omzet"], ["87654321", "2025", "1"]]
        with pytest.raises(ServiceError):
            kpis.import_turnover(intruder, das, rows, TODAY, at(TODAY))
    assert _stored() == {}
    # An administrator works on every DAS.
    kpis.save_turnover(
        factories.UserFactory(role=Role.ADMINISTRATOR), first, 2025, 1, TODAY, at(TODAY)
    )
    assert _stored() == {(first.id, 2025): 1}


def test_an_entered_turnover_counts_instead_of_the_reported_one(turnover_setting) -> None:
    das, manager, first, _second = turnover_setting
    turnover = next(d for d in kpis.definitions_of(das.id) if d.code == "TURNOVER")
    provider = factories.UserFactory(role=Role.PROVIDER, organisation=first.organisation)
    day = date(2027, 2, 1)
    kpis.report(
        provider,
        first,
        [kpis.Figure(turnover, date(2026, 1, 1), Decimal(300_000))],
        "",
        day,
        at(day),
    )
    assert _obligations(das, 2027, day)[first.id] == 15_000_00  # the provider's 300,000
    kpis.save_turnover(manager, first, 2026, 420_000_00, day, at(day))
    assert _obligations(das, 2027, day)[first.id] == 21_000_00  # the municipalities' 420,000
    row = kpis.yearly_obligations(first, day)[0]
    assert (row.year, row.turnover_cents, row.entered) == (2027, 420_000_00, True)
    assert kpis.yearly_obligations(first, day)[1].turnover_cents is None  # 2026: nothing for 2025


REVISED = rules.SroiRule(100_000_00, Decimal(10))


def _terms(das, sroi: rules.SroiRule) -> rules.Terms:
    return rules.Terms(
        ova_percent=Decimal(90),
        ppc_percent=Decimal(10),
        first_index_year=das.first_index_year,
        sroi=sroi,
        allocation_who_chooses=das.allocation_who_chooses,
        allocation_request=das.allocation_request,
        allocation_no_capacity=das.allocation_no_capacity,
        privacy_role=das.privacy_role.value,
        privacy_text=das.privacy_text,
    )


@pytest.mark.parametrize(
    ("revision", "expected"),
    [
        # As published: 5% above 250,000 of the year before. 2025: 400,000; 2026: 150,000;
        # 2027: 260,000.
        (None, {2026: 20_000_00, 2027: None, 2028: 13_000_00}),
        # Revised in 2026 to 10% above 100,000: from 2027 on; 2026 keeps the published rule.
        (REVISED, {2026: 20_000_00, 2027: 15_000_00, 2028: 26_000_00}),
        # Revised to a fixed reference year (2026): 10% of its 150,000 in 2027 and 2028.
        (
            replace(REVISED, reference_year=2026),
            {2026: 20_000_00, 2027: 15_000_00, 2028: 15_000_00},
        ),
    ],
)
def test_the_obligation_per_year_follows_the_rule_of_that_year(
    turnover_setting, revision, expected
) -> None:
    das, manager, first, _second = turnover_setting
    late = date(2029, 3, 2)
    for year, cents in ((2025, 400_000_00), (2026, 150_000_00), (2027, 260_000_00)):
        kpis.save_turnover(manager, first, year, cents, late, at(late))
    if revision is not None:
        decided = date(2026, 6, 1)
        das_terms.save_terms(
            factories.UserFactory(role=Role.ADMINISTRATOR),
            das,
            _terms(das, revision),
            at(decided),
            decided,
        )
    for year, obligation in expected.items():
        assert _obligations(das, year, date(year, 6, 1))[first.id] == obligation
    shown = {o.year: o.obligation_cents for o in kpis.yearly_obligations(first, date(2028, 6, 1))}
    assert shown == expected
    # A year with an obligation and no report is late once its due date has passed.
    reports = kpis.late_reports(das, late, 30, ReportKind.SROI, agreement_id=first.id)
    owed = sorted(y for y, o in expected.items() if o is not None)
    assert sorted(r.period_start.year for r in reports) == owed


# --- the import ------------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    """The rows as the page reads an uploaded CSV file."""
    return spreadsheets.read_rows(io.BytesIO(text.encode("utf-8")))


def test_an_import_names_providers_by_agb_code_or_kvk_number(turnover_setting) -> None:
    das, manager, first, second = turnover_setting
    text = (
        "KvK-nummer;AGB-code;Jaar;Omzet\n"
        ";12345678;2025;312.500,00\n"  # AGB code, decimal comma with grouping
        "11223344;;2025;180000.50\n"  # KvK number, decimal point
        "\n"
        "87654321;12345678;2024;0\n"  # both codes of one provider; refused: 2024 is too early
    )
    result = kpis.import_turnover(manager, das, _rows(text), TODAY, at(TODAY))
    assert [(e.row, e.problem.code) for e in result.errors] == [(5, "turnover_year_outside")]
    assert _stored() == {}
    text = text.replace(";2024;0", ";2025;999")
    result = kpis.import_turnover(manager, das, _rows(text), TODAY, at(TODAY))
    assert [(e.row, e.problem.code) for e in result.errors] == [(5, "turnover_repeated")]
    assert result.errors[0].problem.params == {"provider": "Aanbieder Een", "year": 2025, "row": 2}
    assert _stored() == {}
    result = kpis.import_turnover(
        manager, das, _rows(text.replace("87654321;12345678;2025;999\n", "")), TODAY, at(TODAY)
    )
    assert result.errors == [] and result.stored == 2
    assert _stored() == {(first.id, 2025): 312_500_00, (second.id, 2025): 180_000_50}
    assert {row.source for row in db.session.scalars(db.select(SroiTurnover))} == {
        TurnoverSource.IMPORT
    }
    assert _obligations(das, 2026, TODAY) == {first.id: 15_625_00, second.id: None}
    # Importing a year again replaces it.
    again = 'agb_code,jaar,omzet\n12345678,2025,"260000,00"\n'
    assert kpis.import_turnover(manager, das, _rows(again), TODAY, at(TODAY)).stored == 1
    assert _stored()[(first.id, 2025)] == 260_000_00


GOOD = "87654321,2025,300000"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # A header without the columns: the whole file is refused at line 1.
        (["aanbieder,jaar,bedrag", GOOD], [(1, "turnover_file_columns")]),
        (["kvk_nummer,omzet", "87654321,300000"], [(1, "turnover_file_columns")]),
        # An unknown provider (no agreement in this DAS) among good lines.
        (["kvk_nummer,jaar,omzet", GOOD, "99999999,2025,1000"], [(3, "turnover_unknown_provider")]),
        # A provider and year twice.
        (
            ["kvk_nummer,jaar,omzet", GOOD, "11223344,2025,5", "87654321,2025,400000"],
            [(4, "turnover_repeated")],
        ),
        # A bad amount, a negative one, a year that is no year, one too late.
        (["kvk_nummer,jaar,omzet", GOOD, "11223344,2025,veel"], [(3, "turnover_not_an_amount")]),
        (["kvk_nummer,jaar,omzet", GOOD, "11223344,2025,-5"], [(3, "turnover_not_an_amount")]),
        (["kvk_nummer,jaar,omzet", GOOD, "11223344,25,5"], [(3, "turnover_not_a_year")]),
        (["kvk_nummer,jaar,omzet", GOOD, "11223344,2026,5"], [(3, "turnover_year_outside")]),
        (
            ["kvk_nummer,jaar,omzet", GOOD, "11223344,2025,99999999999999"],
            [(3, "turnover_amount_too_large")],
        ),
        # No code at all, or two codes of two different providers.
        (["agb_code,kvk_nummer,jaar,omzet", ",,2025,5"], [(2, "turnover_provider_missing")]),
        (
            ["agb_code,kvk_nummer,jaar,omzet", "12345678,11223344,2025,5"],
            [(2, "turnover_codes_disagree")],
        ),
        # Every wrong line is named, not only the first.
        (
            ["kvk_nummer,jaar,omzet", "99999999,2025,1", GOOD, "11223344,2025,x"],
            [(2, "turnover_unknown_provider"), (4, "turnover_not_an_amount")],
        ),
        # Nothing but a header.
        (["kvk_nummer,jaar,omzet"], [(1, "file_empty")]),
    ],
)
def test_a_bad_file_is_refused_with_its_line_numbers_and_nothing_stored(
    turnover_setting, lines: list[str], expected: list[tuple[int, str]]
) -> None:
    das, manager, _first, _second = turnover_setting
    before = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    result = kpis.import_turnover(manager, das, _rows("\n".join(lines) + "\n"), TODAY, at(TODAY))
    assert [(e.row, e.problem.code) for e in result.errors] == expected
    assert result.stored == 0
    db.session.expire_all()
    assert _stored() == {}
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == before


def test_a_provider_of_another_das_is_unknown_here(turnover_setting) -> None:
    das, manager, _first, _second = turnover_setting
    other = factories.DasFactory(term_start=date(2026, 1, 1))
    admit(other, _provider("55555555", "55555555", "Elders"), date(2026, 1, 5), live=True)
    rows = _rows("agb_code,jaar,omzet\n55555555,2025,300000\n")
    result = kpis.import_turnover(manager, das, rows, TODAY, at(TODAY))
    assert [(e.row, e.problem.code) for e in result.errors] == [(2, "turnover_unknown_provider")]
    assert _stored() == {}
