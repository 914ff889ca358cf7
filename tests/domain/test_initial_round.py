"""The initial round (dir. 2014/24 art. 34(2) and (5); seed 003 §6.2): at least 30 days for the
first applications, one joint decision date after the closing date and at the latest on the term
start, and the joint date as the review deadline of every application of the round."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain import initial_round as rules

PUBLISHED = date(2025, 2, 3)
TERM_START = date(2026, 1, 1)
WORKING_DAYS_DEADLINE = date(2025, 3, 17)


@pytest.mark.parametrize(
    ("published", "closes", "decision", "expected"),
    [
        # Seed 003 §6.2: published in February, decided in July, agreements from 1-1-2026.
        (PUBLISHED, date(2025, 3, 31), date(2025, 7, 1), []),
        # Exactly 30 days is enough; 29 is not.
        (PUBLISHED, date(2025, 3, 5), date(2025, 7, 1), []),
        (PUBLISHED, date(2025, 3, 4), date(2025, 7, 1), [rules.ROUND_TOO_SHORT]),
        # The joint decision comes after the closing date, not on it.
        (PUBLISHED, date(2025, 3, 31), date(2025, 3, 31), [rules.DECISION_NOT_AFTER_CLOSING]),
        (PUBLISHED, date(2025, 3, 31), date(2025, 3, 1), [rules.DECISION_NOT_AFTER_CLOSING]),
        # On the term start is in time; a day later the round's agreements would start late.
        (PUBLISHED, date(2025, 3, 31), TERM_START, []),
        (PUBLISHED, date(2025, 3, 31), date(2026, 1, 2), [rules.DECISION_AFTER_TERM_START]),
        # Several faults at once are all named.
        (
            PUBLISHED,
            date(2025, 2, 10),
            date(2026, 2, 1),
            [rules.ROUND_TOO_SHORT, rules.DECISION_AFTER_TERM_START],
        ),
        # A concept is not published yet: only the order of the dates counts.
        (None, date(2025, 2, 10), date(2025, 7, 1), []),
        # No round at all is fine; half a round is not.
        (PUBLISHED, None, None, []),
        (PUBLISHED, date(2025, 3, 31), None, [rules.DECISION_DATE_MISSING]),
        (PUBLISHED, None, date(2025, 7, 1), [rules.CLOSING_DATE_MISSING]),
    ],
)
def test_problems(
    published: date | None, closes: date | None, decision: date | None, expected: list[str]
) -> None:
    assert rules.problems(published, closes, decision, TERM_START) == expected


def test_earliest_closing_date_is_thirty_days_after_publication() -> None:
    assert rules.earliest_closing_date(date(2025, 2, 3)) == date(2025, 3, 5)
    assert rules.earliest_closing_date(date(2024, 2, 1)) == date(2024, 3, 2)  # leap year


@pytest.mark.parametrize(
    ("received", "closes", "expected"),
    [
        (date(2025, 3, 30), date(2025, 3, 31), True),
        (date(2025, 3, 31), date(2025, 3, 31), True),  # the closing day itself counts
        (date(2025, 4, 1), date(2025, 3, 31), False),
        (date(2025, 3, 1), None, False),  # no round
    ],
)
def test_in_round(received: date, closes: date | None, expected: bool) -> None:
    assert rules.in_round(received, closes) is expected


def test_review_deadline_in_the_round_is_the_joint_decision_date() -> None:
    decision = date(2025, 7, 1)
    assert (
        rules.review_deadline(date(2025, 3, 3), date(2025, 3, 31), decision, WORKING_DAYS_DEADLINE)
        == decision
    )


def test_review_deadline_after_the_round_is_the_working_day_deadline() -> None:
    assert (
        rules.review_deadline(
            date(2025, 4, 1), date(2025, 3, 31), date(2025, 7, 1), WORKING_DAYS_DEADLINE
        )
        == WORKING_DAYS_DEADLINE
    )
    assert (
        rules.review_deadline(date(2025, 3, 3), None, None, WORKING_DAYS_DEADLINE)
        == WORKING_DAYS_DEADLINE
    )


def test_round_state() -> None:
    assert rules.round_state(date(2025, 3, 31), date(2025, 3, 31)) == "open"
    assert rules.round_state(date(2025, 4, 1), date(2025, 3, 31)) == "closed"
    assert rules.round_state(date(2025, 4, 1), None) is None
