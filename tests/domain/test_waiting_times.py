"""The register's rules (issue 23): when an entry is outdated, what is wrong with one entry, and
which month a reminder belongs to."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.domain import waiting_times as rules

REPORTED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("later", "outdated"),
    [
        (timedelta(0), False),
        (timedelta(days=30), False),  # 30 days old: still current
        (timedelta(days=30, seconds=1), True),  # older than 30 days
        (timedelta(days=45), True),
    ],
)
def test_an_entry_older_than_30_days_is_outdated(later: timedelta, outdated: bool) -> None:
    assert rules.is_outdated(REPORTED, REPORTED + later) is outdated


def test_outdated_since_is_the_first_day_it_counts_as_outdated() -> None:
    since = rules.outdated_since(REPORTED)
    assert since == date(2026, 10, 31)
    assert not rules.is_outdated(REPORTED, datetime(2026, 10, 31, 12, 0, tzinfo=UTC))
    assert rules.is_outdated(REPORTED, datetime(2026, 10, 31, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("intake", "treatment", "note", "problems"),
    [
        (0, 0, "", []),
        (4, 10, "Spoed binnen een week.", []),
        (rules.MAX_WEEKS, rules.MAX_WEEKS, "", []),
        (-1, 3, "", ["waiting_weeks_out_of_range"]),
        (3, rules.MAX_WEEKS + 1, "", ["waiting_weeks_out_of_range"]),
        (rules.MAX_WEEKS + 1, rules.MAX_WEEKS + 2, "", ["waiting_weeks_out_of_range"]),
        (6, 4, "", ["treatment_before_intake"]),
        (2, 3, "x" * rules.MAX_NOTE_LENGTH, []),
        (2, 3, "x" * (rules.MAX_NOTE_LENGTH + 1), ["waiting_note_too_long"]),
        (
            6,
            4,
            "x" * (rules.MAX_NOTE_LENGTH + 1),
            ["treatment_before_intake", "waiting_note_too_long"],
        ),
    ],
)
def test_entry_problems(intake: int, treatment: int, note: str, problems: list[str]) -> None:
    assert rules.entry_problems(intake, treatment, note) == problems


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2026, 11, 1), "2026-11"),
        (date(2026, 11, 30), "2026-11"),
        (date(2027, 1, 5), "2027-01"),
    ],
)
def test_one_reminder_month_per_calendar_month(today: date, month: str) -> None:
    assert rules.reminder_month(today) == month
