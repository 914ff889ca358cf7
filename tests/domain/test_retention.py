"""Retention of declarations and evidence after the end of a DAS (portal.domain.retention)."""

from datetime import date

import pytest

from portal.domain.retention import (
    ProviderFacts,
    Standing,
    is_purgeable,
    purge_due,
    retention_ends,
    standing,
)


@pytest.mark.parametrize(
    ("das_end", "years", "last_kept_day"),
    [
        (date(2029, 12, 31), 7, date(2036, 12, 31)),
        (date(2035, 12, 31), 7, date(2042, 12, 31)),
        (date(2029, 6, 30), 7, date(2036, 6, 30)),
        # Leap day: 2035 has no 29 February, so the period ends on the last day of February
        # (Regulation 1182/71 art. 3(2)(c)), not on 1 March.
        (date(2028, 2, 29), 7, date(2035, 2, 28)),
        (date(2028, 2, 29), 8, date(2036, 2, 29)),  # 2036 is a leap year again
        (date(2027, 2, 28), 1, date(2028, 2, 28)),  # a month-end need not stay a month-end
        (date(2029, 12, 31), 0, date(2029, 12, 31)),
    ],
)
def test_retention_ends(das_end: date, years: int, last_kept_day: date) -> None:
    assert retention_ends(das_end, years) == last_kept_day


@pytest.mark.parametrize(
    ("das_end", "today", "due"),
    [
        (date(2029, 12, 31), date(2035, 12, 31), False),  # 6 years after the end
        (date(2029, 12, 31), date(2036, 12, 31), False),  # the last day it is kept
        (date(2029, 12, 31), date(2037, 1, 1), True),  # the day after
        (date(2029, 12, 31), date(2037, 12, 31), True),  # 8 years after the end
        (date(2028, 2, 29), date(2035, 2, 28), False),
        (date(2028, 2, 29), date(2035, 3, 1), True),
        (date(2029, 12, 31), date(2029, 6, 1), False),  # the DAS still runs
    ],
)
def test_purge_due(das_end: date, today: date, due: bool) -> None:
    assert purge_due(das_end, today, 7) is due


def test_negative_years_are_refused() -> None:
    with pytest.raises(ValueError):
        retention_ends(date(2029, 12, 31), -1)


@pytest.mark.parametrize(
    ("admitted", "rejected", "pending", "agreement_ended", "expected"),
    [
        (False, True, False, None, Standing.REJECTED),
        (False, True, True, None, Standing.UNDECIDED),  # a new try still under review
        (False, False, False, None, Standing.UNDECIDED),  # drafts or withdrawals only
        (True, False, False, None, Standing.ACTIVE),  # admitted, no agreement: keep
        (True, False, False, False, Standing.ACTIVE),
        (True, True, False, False, Standing.ACTIVE),  # one lot rejected, one admitted
        (True, False, False, True, Standing.ENDED),
        (True, True, False, True, Standing.ENDED),
    ],
)
def test_standing(
    admitted: bool, rejected: bool, pending: bool, agreement_ended: bool | None, expected: Standing
) -> None:
    assert standing(ProviderFacts(admitted, rejected, pending, agreement_ended)) is expected


def test_only_rejected_and_ended_are_purged() -> None:
    assert {s for s in Standing if is_purgeable(s)} == {Standing.REJECTED, Standing.ENDED}
