"""When requested evidence is due (portal.domain.evidence.requested_evidence_due_on): 14
calendar days after the request (DOMAIN.md "Suitability criteria"), whatever day that is."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.evidence import requested_evidence_due_on


@pytest.mark.parametrize(
    ("requested_on", "due_on"),
    [
        (date(2026, 11, 25), date(2026, 12, 9)),  # a Wednesday: a Wednesday two weeks on
        (date(2026, 12, 20), date(2027, 1, 3)),  # over the year's end, due on a Sunday
        (date(2026, 12, 11), date(2026, 12, 25)),  # due on Christmas Day: not moved
        (date(2028, 2, 20), date(2028, 3, 5)),  # across 29 February in a leap year
        (date(2027, 2, 20), date(2027, 3, 6)),  # and in a common year
        (date(2026, 3, 17), date(2026, 3, 31)),  # to the last day of the month
    ],
)
def test_requested_evidence_is_due_fourteen_calendar_days_later(
    requested_on: date, due_on: date
) -> None:
    assert requested_evidence_due_on(requested_on) == due_on
