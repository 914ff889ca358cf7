"""Rules of the waiting-time register (issue 23; seed 003 names extreme waiting lists among the
region's bottlenecks, and the way clients are allocated is part of the announcement).

A provider reports per lot (or product) and per municipality or subregion: weeks until intake,
weeks until treatment, and whether it takes new clients. An entry older than 30 days is shown as
outdated; once a month the provider is asked to confirm or update it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

# An entry not updated or confirmed for this long is outdated (issue 23).
OUTDATED_AFTER = timedelta(days=30)
# A wait longer than two years is not a waiting time but an error; the form says so.
MAX_WEEKS = 104
MAX_NOTE_LENGTH = 500


def is_outdated(reported_at: datetime, now: datetime) -> bool:
    """Was the entry last updated or confirmed more than 30 days before `now`?"""
    return now - reported_at > OUTDATED_AFTER


def outdated_since(reported_at: datetime) -> date:
    """The first day on which the entry counts as outdated."""
    return (reported_at + OUTDATED_AFTER).date()


def entry_problems(weeks_to_intake: int, weeks_to_treatment: int, note: str) -> list[str]:
    """What is wrong with one entry, as message codes (empty: nothing)."""
    problems: list[str] = []
    if not 0 <= weeks_to_intake <= MAX_WEEKS:
        problems.append("waiting_weeks_out_of_range")
    elif not 0 <= weeks_to_treatment <= MAX_WEEKS:
        problems.append("waiting_weeks_out_of_range")
    elif weeks_to_treatment < weeks_to_intake:
        problems.append("treatment_before_intake")
    if len(note) > MAX_NOTE_LENGTH:
        problems.append("waiting_note_too_long")
    return problems


def reminder_month(today: date) -> str:
    """The month a reminder belongs to ("2026-11"): one reminder per agreement per month."""
    return f"{today.year:04d}-{today.month:02d}"
