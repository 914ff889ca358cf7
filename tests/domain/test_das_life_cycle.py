"""The life of a DAS (issue 19): states, the publish checklist, the basic date rules."""

from dataclasses import replace
from datetime import date

import pytest

from portal.domain import das_life_cycle as rules
from portal.domain.das_life_cycle import Facts, Part, State

TODAY = date(2026, 11, 28)

COMPLETE = Facts(
    basics_complete=True,
    term_problems=(),
    municipalities=7,
    has_lead_authority=True,
    lots_with_products=5,
    exclusion_grounds=13,
    suitability_criteria=5,
    criteria_without_evidence_type=(),
    has_contact_point=True,
    sroi_threshold_cents=250_000_00,
    sroi_percent=5.0,
    ova_weight=0.9,
    ppc_weight=0.1,
    first_index_year=2026,
    allocation_texts=("De toegang", "Per e-mail", "De volgende aanbieder"),
    privacy_role="processor",
    reviewers=1,
    tariff_years=frozenset({2026}),
    term_start=date(2026, 1, 1),
)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (State.DRAFT, State.OPEN, True),
        (State.OPEN, State.CLOSED, True),
        (State.CLOSED, State.ENDED, True),
        (State.DRAFT, State.CLOSED, False),
        (State.DRAFT, State.ENDED, False),
        (State.OPEN, State.ENDED, False),
        (State.OPEN, State.DRAFT, False),
        (State.CLOSED, State.OPEN, False),
        (State.ENDED, State.OPEN, False),
        (State.OPEN, State.OPEN, False),
    ],
)
def test_state_machine(current: State, target: State, allowed: bool) -> None:
    assert rules.may_move(current, target) is allowed


@pytest.mark.parametrize(
    ("today", "running", "allowed"),
    [
        (date(2029, 6, 1), 0, True),  # nothing runs any more
        (date(2029, 6, 1), 3, False),  # agreements run to the common end date
        (date(2029, 12, 31), 3, False),  # the last day still counts
        (date(2030, 1, 1), 3, True),  # after the common end date every agreement has ended
    ],
)
def test_may_end(today: date, running: int, allowed: bool) -> None:
    assert rules.may_end(today, date(2029, 12, 31), running) is allowed


def test_a_complete_das_may_be_published() -> None:
    assert rules.publish_checklist(COMPLETE, TODAY) == []


@pytest.mark.parametrize(
    ("change", "part"),
    [
        ({"basics_complete": False}, Part.BASICS),
        ({"term_problems": ("term_inverted",)}, Part.BASICS),
        ({"municipalities": 0}, Part.AUTHORITIES),
        ({"has_lead_authority": False}, Part.LEAD_AUTHORITY),
        ({"lots_with_products": 0}, Part.LOTS),
        ({"exclusion_grounds": 0}, Part.EXCLUSION_GROUNDS),
        ({"suitability_criteria": 0}, Part.SUITABILITY_CRITERIA),
        ({"criteria_without_evidence_type": ("G3",)}, Part.EVIDENCE_TYPES),
        ({"has_contact_point": False}, Part.CONTACT_POINT),
        ({"sroi_percent": 0.0}, Part.SROI),
        ({"sroi_threshold_cents": 0}, Part.SROI),
        ({"first_index_year": None}, Part.INDEXATION),
        ({"ppc_weight": 0.2}, Part.INDEXATION),  # weights 90% + 20%
        ({"allocation_texts": ("De toegang", " ", "x")}, Part.CLIENT_ALLOCATION),
        ({"privacy_role": None}, Part.PRIVACY),
        ({"reviewers": 0}, Part.REVIEWER),
        ({"tariff_years": frozenset()}, Part.BASE_TARIFFS),
        ({"tariff_years": frozenset({2028})}, Part.BASE_TARIFFS),  # only a future year
        ({"initial_round_problems": ("round_too_short",)}, Part.INITIAL_ROUND),
    ],
)
def test_each_missing_part_is_named(change: dict[str, object], part: Part) -> None:
    missing = rules.publish_checklist(replace(COMPLETE, **change), TODAY)  # type: ignore[arg-type]
    assert [m.part for m in missing] == [part]


def test_an_earlier_tariff_sheet_counts_and_details_are_kept() -> None:
    facts = replace(
        COMPLETE, tariff_years=frozenset({2025}), criteria_without_evidence_type=("G3", "G4")
    )
    assert rules.publish_checklist(facts, TODAY) == [
        rules.Missing(Part.EVIDENCE_TYPES, ("G3", "G4"))
    ]


def test_an_empty_concept_misses_everything_in_order() -> None:
    empty = replace(
        COMPLETE,
        municipalities=0,
        has_lead_authority=False,
        lots_with_products=0,
        exclusion_grounds=0,
        suitability_criteria=0,
        has_contact_point=False,
        first_index_year=None,
        allocation_texts=("", "", ""),
        privacy_role=None,
        reviewers=0,
        tariff_years=frozenset(),
    )
    assert [m.part for m in rules.publish_checklist(empty, TODAY)] == [
        Part.AUTHORITIES,
        Part.LEAD_AUTHORITY,
        Part.LOTS,
        Part.EXCLUSION_GROUNDS,
        Part.SUITABILITY_CRITERIA,
        Part.CONTACT_POINT,
        Part.INDEXATION,
        Part.CLIENT_ALLOCATION,
        Part.PRIVACY,
        Part.REVIEWER,
        Part.BASE_TARIFFS,
    ]


@pytest.mark.parametrize(
    ("slug", "ok"),
    [
        ("jeugdhulp-midden-limburg", True),
        ("das-2026", True),
        ("Jeugdhulp", False),
        ("jeugd--hulp", False),
        ("-jeugd", False),
        ("jeugd hulp", False),
        ("jeugdhülp", False),
        ("", False),
        ("a" * 81, False),
    ],
)
def test_slug_form(slug: str, ok: bool) -> None:
    assert (rules.slug_problem(slug) is None) is ok


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("85000000-9", True),
        ("85311300-5", True),
        ("85000000", False),
        ("8500000-9", False),
        ("85000000-x", False),
    ],
)
def test_cpv_form(code: str, ok: bool) -> None:
    assert (rules.cpv_problem(code) is None) is ok


@pytest.mark.parametrize(
    ("start", "end", "options", "years", "expected"),
    [
        (date(2026, 1, 1), date(2029, 12, 31), 2, 3, []),  # seed 003 §4.1
        (date(2026, 1, 1), date(2029, 12, 31), 0, 0, []),
        (date(2029, 12, 31), date(2026, 1, 1), 2, 3, [rules.TERM_INVERTED]),
        (date(2026, 1, 1), date(2026, 1, 1), 0, 0, [rules.TERM_INVERTED]),
        (date(2026, 1, 1), date(2029, 12, 31), 2, 0, [rules.OPTION_ENDS_BEFORE_TERM]),
        (date(2026, 1, 1), date(2029, 12, 31), 6, 3, [rules.OPTIONS_OUT_OF_RANGE]),
        (date(2026, 1, 1), date(2029, 12, 31), -1, 3, [rules.OPTIONS_OUT_OF_RANGE]),
        (date(2026, 1, 1), date(2029, 12, 31), 1, 11, [rules.OPTIONS_OUT_OF_RANGE]),
    ],
)
def test_term(start: date, end: date, options: int, years: int, expected: list[str]) -> None:
    assert rules.term_problems(start, end, options, years) == expected


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (1, True), (10, True), (15, True), (16, False)]
)
def test_review_days(days: int, ok: bool) -> None:
    assert (rules.review_days_problem(days) is None) is ok


def test_changes_as_text() -> None:
    old = {"name": "A", "term_start": date(2026, 1, 1), "four_eyes": False, "same": 1}
    new = {"name": "B", "term_start": date(2026, 2, 1), "four_eyes": True, "same": 1}
    assert rules.changes(old, new) == {
        "name": ["A", "B"],
        "term_start": ["2026-01-01", "2026-02-01"],
        "four_eyes": ["false", "true"],
    }
