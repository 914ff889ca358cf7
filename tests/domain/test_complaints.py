"""The complaint period of a decision letter: 20 calendar days after the letter's date
(DOMAIN.md "Complaints and remedies"); on the last day a complaint is in time, after it late."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.complaints import COMPLAINT_PERIOD_DAYS, complaint_period_end, is_late


@pytest.mark.parametrize(
    ("letter", "last_day"),
    [
        (date(2027, 3, 2), date(2027, 3, 22)),
        # Calendar days: a weekend or a holiday at the end does not move it (27-3-2027 is a
        # Saturday, Easter Monday is 29-3-2027).
        (date(2027, 3, 7), date(2027, 3, 27)),
        (date(2027, 3, 9), date(2027, 3, 29)),
        # Across a month end, a leap day and a year end.
        (date(2027, 1, 31), date(2027, 2, 20)),
        (date(2028, 2, 10), date(2028, 3, 1)),
        (date(2027, 12, 20), date(2028, 1, 9)),
    ],
)
def test_the_period_ends_on_the_twentieth_calendar_day(letter: date, last_day: date) -> None:
    assert COMPLAINT_PERIOD_DAYS == 20
    assert complaint_period_end(letter) == last_day


@pytest.mark.parametrize(
    ("filed", "late"),
    [
        (date(2027, 12, 20), False),  # the letter's own date
        (date(2027, 12, 31), False),
        (date(2028, 1, 9), False),  # day 20: still in time
        (date(2028, 1, 10), True),  # day 21: late
        (date(2028, 6, 1), True),
    ],
)
def test_a_complaint_is_late_only_after_the_last_day(filed: date, late: bool) -> None:
    assert is_late(date(2027, 12, 20), filed) is late
