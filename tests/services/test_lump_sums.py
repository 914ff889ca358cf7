"""A lump-sum agreement (seed 000, services/lump_sums.py): the ceiling per year agreed and then
indexed with the DAS's index figures, its history as variations of the agreement, and the mutual
3% valve both ways: only a result beyond 3% is a review task for the contract manager, with the
figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import (
    CeilingBasis,
    Das,
    FrameworkAgreement,
    IndexFigure,
    LumpSumCeiling,
    LumpSumResult,
    Role,
    User,
    VariationKind,
)
from portal.services import ServiceError, agreements, lump_sums, staff_tasks
from portal.services.staff_tasks import TaskKind
from tests import factories

NOW = factories.at(date(2025, 3, 3))
TODAY = date(2025, 3, 3)
CEILING_2023 = 1_674_811_00  # seed 000


@dataclass
class World:
    das: Das
    agreement: FrameworkAgreement
    provider: User
    manager: User
    stranger: User  # a contract manager of another DAS


@pytest.fixture()
def world(app: Flask) -> World:
    """Seed 000: a lump-sum agreement 2023-2027 with index figures for 2023 to 2025."""
    das = factories.DasFactory(term_start=date(2023, 1, 1), initial_end_date=date(2027, 12, 31))
    for year, figures in {
        2023: ("5.0", "5.0", "6.0", "4.0"),
        2024: ("4.94", "2.51", "6.00", "3.10"),  # VNG (DOMAIN.md)
        2025: ("4.18", "1.82", None, None),
    }.items():
        ova_p, ppc_p, ova_d, ppc_d = (D(f) if f else None for f in figures)
        db.session.add(
            IndexFigure(
                das_id=das.id,
                year=year,
                ova_prognosis=ova_p,
                ppc_prognosis=ppc_p,
                ova_definitive=ova_d,
                ppc_definitive=ppc_d,
            )
        )
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, date(2022, 12, 1), live=True)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    stranger = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(stranger, factories.DasFactory())
    return World(das, agreement, provider, manager, stranger)


def _ceilings(agreement: FrameworkAgreement) -> dict[int, int]:
    return {c.year: c.amount_cents for c in lump_sums.state_of(agreement).ceilings}


def test_the_ceiling_of_2023_is_indexed_year_by_year(world: World) -> None:
    assert world.agreement.start_date.year == 2023
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    state = lump_sums.state_of(world.agreement)
    offered = lump_sums.next_index(world.agreement, state)
    assert offered is not None and offered.year == 2024 and offered.ceiling is not None
    assert offered.ceiling.amount_cents == 1_766_875_36  # index 5.497% (see tests/domain)

    indexed = lump_sums.index_ceiling(world.manager, world.agreement, 2024, NOW)
    assert indexed.basis is CeilingBasis.INDEXED
    assert indexed.index_total == D("5.497") and indexed.corrected == (2023,)
    lump_sums.index_ceiling(world.manager, world.agreement, 2025, NOW)
    assert _ceilings(world.agreement) == {
        2023: 1_674_811_00,
        2024: 1_766_875_36,
        2025: 1_854_459_37,  # index 4.957%, DOMAIN.md's worked figure
    }


def test_indexing_without_the_figures_is_refused_and_stores_nothing(world: World) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2025, 1_000_000_00, "", NOW)
    state = lump_sums.state_of(world.agreement)
    offered = lump_sums.next_index(world.agreement, state)
    assert offered is not None and offered.ceiling is None
    assert offered.missing is not None and offered.missing.year == 2026
    with pytest.raises(ServiceError) as error:
        lump_sums.index_ceiling(world.manager, world.agreement, 2026, NOW)
    assert error.value.code == "index_figure_missing"
    assert _ceilings(world.agreement) == {2025: 1_000_000_00}


def test_a_year_is_indexed_once(world: World) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    lump_sums.index_ceiling(world.manager, world.agreement, 2024, NOW)
    with pytest.raises(ServiceError) as error:  # the same page, a second click
        lump_sums.index_ceiling(world.manager, world.agreement, 2024, NOW)
    assert error.value.code == "ceiling_not_next_year"
    assert db.session.scalar(db.select(db.func.count(LumpSumCeiling.id))) == 2


def test_the_ceiling_and_its_history_are_variations_of_the_agreement(world: World) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    lump_sums.index_ceiling(world.manager, world.agreement, 2024, NOW)
    # A revision needs a reason, and keeps what it revises in the history.
    with pytest.raises(ServiceError) as error:
        lump_sums.agree_ceiling(world.manager, world.agreement, 2024, 1_800_000_00, " ", NOW)
    assert error.value.code == "ceiling_revision_needs_reason"
    lump_sums.agree_ceiling(
        world.manager, world.agreement, 2024, 1_800_000_00, "Herijking: meer jeugdigen.", NOW
    )

    state = lump_sums.state_of(world.agreement)
    assert [(c.year, c.amount_cents) for c in state.history] == [
        (2023, 1_674_811_00),
        (2024, 1_766_875_36),
        (2024, 1_800_000_00),
    ]
    assert _ceilings(world.agreement) == {2023: 1_674_811_00, 2024: 1_800_000_00}
    variations = [
        v for v in agreements.variations_of(world.agreement) if v.kind is VariationKind.LUMP_SUM
    ]
    assert [v.id for v in variations] == [c.variation_id for c in state.history]
    assert [v.effective_on for v in variations] == [
        date(2023, 1, 1),
        date(2024, 1, 1),
        date(2024, 1, 1),
    ]
    assert variations[0].description.startswith("Plafondbedrag 2023: €")
    assert variations[0].description.endswith("1.674.811,00 (vastgesteld).")
    assert "(geïndexeerd met 5,497%)." in variations[1].description
    assert "(herzien). Herijking: meer jeugdigen." in variations[2].description
    # The revised year is the base of the next indexation.
    offered = lump_sums.next_index(world.agreement, state)
    assert offered is not None and offered.ceiling is not None
    assert offered.ceiling.amount_cents == 1_889_226_00  # 1,800,000.00 x 1.04957


@pytest.mark.parametrize(
    ("year", "amount", "code"),
    [
        (2022, CEILING_2023, "ceiling_year_outside_term"),
        (2028, CEILING_2023, "ceiling_year_outside_term"),
        (2023, 0, "ceiling_not_positive"),
    ],
)
def test_a_ceiling_outside_the_term_or_of_nothing_is_refused(
    world: World, year: int, amount: int, code: str
) -> None:
    with pytest.raises(ServiceError) as error:
        lump_sums.agree_ceiling(world.manager, world.agreement, year, amount, "", NOW)
    assert error.value.code == code
    assert _ceilings(world.agreement) == {}


@pytest.mark.parametrize("who", ["provider", "stranger", "reviewer"])
def test_only_a_contract_manager_of_the_das_sets_the_ceiling(world: World, who: str) -> None:
    actor = factories.UserFactory(role=Role.REVIEWER) if who == "reviewer" else getattr(world, who)
    with pytest.raises(ServiceError) as error:
        lump_sums.agree_ceiling(actor, world.agreement, 2023, CEILING_2023, "", NOW)
    assert error.value.code == "not_found"
    assert _ceilings(world.agreement) == {}


# --- the valve ---------------------------------------------------------------------------------

THREE_PERCENT = 50_244_33  # of EUR 1,674,811: exactly 3%


def _review_tasks(user: User) -> list[staff_tasks.Task]:
    return staff_tasks.tasks_for(user, TODAY, 30).of(TaskKind.LUMP_SUM_REVIEW)


@pytest.mark.parametrize(
    ("result", "task"),
    [
        (25_000_00, False),  # within, positive
        (-25_000_00, False),  # within, negative
        (THREE_PERCENT, False),  # seed 000: "kleiner of gelijk is aan 3%"
        (-THREE_PERCENT, False),
        (THREE_PERCENT + 1, True),  # beyond +3%
        (-THREE_PERCENT - 1, True),  # beyond -3%
        (-200_000_00, True),
    ],
)
def test_the_valve_both_ways(world: World, result: int, task: bool) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    reported = lump_sums.report_result(
        world.provider, world.agreement, 2023, result, "Accountants BV", NOW, TODAY
    )
    assert reported.within_valve is not task
    assert (reported.result_cents, reported.ceiling_cents) == (result, CEILING_2023)
    tasks = _review_tasks(world.manager)
    assert staff_tasks.count_for(world.manager) == (1 if task else 0)
    if not task:
        assert tasks == []
        return
    [found] = tasks
    # The task carries the figures and leads to the lump-sum page.
    assert found.agreement is not None and found.agreement.id == world.agreement.id
    assert found.lump_sum_result is not None
    assert found.lump_sum_result.result_cents == result
    assert found.lump_sum_result.ceiling_cents == CEILING_2023
    assert staff_tasks.where(found) == ("contracts.lump_sum", {"agreement_id": world.agreement.id})
    # Only for the contract managers of this DAS.
    assert _review_tasks(world.stranger) == []
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, world.das)
    assert TaskKind.LUMP_SUM_REVIEW not in staff_tasks.tasks_for(reviewer, TODAY, 30).kinds

    # Recording the outcome closes the task.
    with pytest.raises(ServiceError) as error:
        lump_sums.close_review(world.manager, reported, "  ", NOW)
    assert error.value.code == "review_note_missing"
    with pytest.raises(ServiceError) as error:
        lump_sums.close_review(world.stranger, reported, "Geen wijziging.", NOW)
    assert error.value.code == "not_found"
    lump_sums.close_review(world.manager, reported, "Geen wijziging: eenmalig.", NOW)
    assert _review_tasks(world.manager) == []
    assert staff_tasks.count_for(world.manager) == 0
    with pytest.raises(ServiceError) as error:
        lump_sums.close_review(world.manager, reported, "Nog eens.", NOW)
    assert error.value.code == "review_not_open"


def test_the_result_is_held_against_the_ceiling_in_force(world: World) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, 2_000_000_00, "Herijkt.", NOW)
    # 55,000 is beyond 3% of 1,674,811 but within 3% of 2,000,000.
    reported = lump_sums.report_result(
        world.provider, world.agreement, 2023, 55_000_00, "Accountants BV", NOW, TODAY
    )
    assert reported.ceiling_cents == 2_000_000_00 and reported.within_valve


@pytest.mark.parametrize(
    ("year", "auditor", "code"),
    [
        (2025, "Accountants BV", "result_year_not_ended"),  # the year is still running
        (2024, "Accountants BV", "no_ceiling_for_year"),
        (2023, "  ", "auditor_missing"),
    ],
)
def test_a_result_the_valve_cannot_judge_is_refused(
    world: World, year: int, auditor: str, code: str
) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    with pytest.raises(ServiceError) as error:
        lump_sums.report_result(world.provider, world.agreement, year, 10_00, auditor, NOW, TODAY)
    assert error.value.code == code
    assert db.session.scalar(db.select(db.func.count(LumpSumResult.id))) == 0


def test_a_year_is_reported_once_and_only_by_the_provider(world: World) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    other = factories.ProviderUserFactory()
    for actor in (other, world.manager):
        with pytest.raises(ServiceError) as error:
            lump_sums.report_result(actor, world.agreement, 2023, 10_00, "A", NOW, TODAY)
        assert error.value.code == "not_found"
    lump_sums.report_result(world.provider, world.agreement, 2023, 10_00, "A", NOW, TODAY)
    with pytest.raises(ServiceError) as error:
        lump_sums.report_result(world.provider, world.agreement, 2023, 99_00, "A", NOW, TODAY)
    assert error.value.code == "result_already_reported"
    assert db.session.scalars(db.select(LumpSumResult.result_cents)).all() == [10_00]


def test_the_review_task_is_in_the_contract_managers_daily_digest(world: World, mailbox) -> None:
    lump_sums.agree_ceiling(world.manager, world.agreement, 2023, CEILING_2023, "", NOW)
    lump_sums.report_result(
        world.provider, world.agreement, 2023, -THREE_PERCENT - 1, "Acc", NOW, TODAY
    )
    staff_tasks.send_daily_digests(factories.at(date(2025, 3, 4), 6))
    body = mailbox.body(mailbox.last_to(world.manager.email))
    assert "Lumpsumresultaten buiten het ventiel van 3% (1)" in body
    assert world.agreement.reference in body
    assert f"/contracten/{world.agreement.id}/lumpsum" in body
