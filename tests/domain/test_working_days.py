"""Working days (Algemene termijnenwet art. 3) and the DAS review deadline (dir. 2014/24)."""

from datetime import date, timedelta

import pytest

from portal.domain.working_days import (
    MAX_REVIEW_WORKING_DAYS,
    REVIEW_WORKING_DAYS,
    DeadlineStatus,
    add_working_days,
    deadline_status,
    is_working_day,
    review_deadline,
    statutory_holidays,
    statutory_holidays_for_years,
    working_days_between,
)

HOLIDAYS = statutory_holidays_for_years([2025, 2026, 2027])
# The Friday after Ascension Day 2026, as a royal decree under art. 3(3) would equate it.
ROYAL_DECREE_DAY = date(2026, 5, 15)


def test_review_period_constants() -> None:
    assert REVIEW_WORKING_DAYS == 10
    assert MAX_REVIEW_WORKING_DAYS == 15


def test_statutory_holidays_2026_exactly() -> None:
    assert statutory_holidays(2026) == {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 3): "Goede Vrijdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    }


def test_statutory_holidays_are_ordered_by_date() -> None:
    days = list(statutory_holidays(2027))
    assert days == sorted(days)


@pytest.mark.parametrize(
    ("year", "name", "expected"),
    [
        (2025, "Goede Vrijdag", date(2025, 4, 18)),
        (2025, "Tweede Paasdag", date(2025, 4, 21)),
        # 27 April 2025 is a Sunday, so Koningsdag moves to Saturday 26 April.
        (2025, "Koningsdag", date(2025, 4, 26)),
        (2025, "Hemelvaartsdag", date(2025, 5, 29)),
        (2025, "Tweede Pinksterdag", date(2025, 6, 9)),
        (2027, "Goede Vrijdag", date(2027, 3, 26)),
        (2027, "Tweede Paasdag", date(2027, 3, 29)),
        (2027, "Koningsdag", date(2027, 4, 27)),
        (2027, "Hemelvaartsdag", date(2027, 5, 6)),
        (2027, "Tweede Pinksterdag", date(2027, 5, 17)),
        (2031, "Koningsdag", date(2031, 4, 26)),  # 27 April 2031 is a Sunday too
    ],
)
def test_statutory_holiday_dates(year: int, name: str, expected: date) -> None:
    holidays = statutory_holidays(year)
    assert holidays[expected] == name
    assert list(holidays.values()).count(name) == 1


@pytest.mark.parametrize("year", range(2025, 2036))
def test_liberation_day_is_a_holiday_every_year_not_only_every_five(year: int) -> None:
    assert statutory_holidays(year)[date(year, 5, 5)] == "Bevrijdingsdag"


def test_holidays_sharing_a_date_keep_both_names() -> None:
    # Easter fell on 27 March 2016, so Ascension Day was 5 May.
    holidays = statutory_holidays(2016)
    assert holidays[date(2016, 5, 5)] == "Bevrijdingsdag en Hemelvaartsdag"
    assert len(holidays) == 8


def test_royal_decree_days_are_not_generated() -> None:
    assert ROYAL_DECREE_DAY not in statutory_holidays(2026)


def test_years_before_kings_day_are_refused() -> None:
    with pytest.raises(ValueError):
        statutory_holidays(2013)


def test_holidays_for_years_merges_years() -> None:
    merged = statutory_holidays_for_years([2026, 2027])
    assert len(merged) == 18
    assert merged[date(2026, 12, 26)] == "Tweede Kerstdag"
    assert merged[date(2027, 1, 1)] == "Nieuwjaarsdag"


@pytest.mark.parametrize(
    ("day", "holidays", "expected"),
    [
        (date(2026, 3, 9), HOLIDAYS, True),  # an ordinary Monday
        (date(2026, 3, 13), HOLIDAYS, True),  # an ordinary Friday
        (date(2026, 3, 7), HOLIDAYS, False),  # Saturday
        (date(2026, 3, 8), HOLIDAYS, False),  # Sunday
        (date(2026, 4, 3), HOLIDAYS, False),  # Goede Vrijdag
        (date(2026, 4, 27), HOLIDAYS, False),  # Koningsdag on a Monday
        (date(2025, 4, 25), HOLIDAYS, True),  # Friday before Koningsdag 2025 (a Saturday)
        (date(2026, 5, 5), HOLIDAYS, False),  # Bevrijdingsdag in a non-lustrum year
        (ROYAL_DECREE_DAY, HOLIDAYS, True),  # not equated unless the administrator says so
        (ROYAL_DECREE_DAY, {*HOLIDAYS, ROYAL_DECREE_DAY}, False),
        (date(2026, 12, 25), frozenset(), True),  # no calendar given: only weekends count
    ],
)
def test_is_working_day(day: date, holidays: set[date], expected: bool) -> None:
    assert is_working_day(day, holidays) is expected


@pytest.mark.parametrize(
    ("received_on", "holidays", "expected"),
    [
        pytest.param(
            date(2026, 12, 18), HOLIDAYS, date(2027, 1, 5), id="christmas-boxing-day-new-year"
        ),
        pytest.param(date(2026, 3, 6), HOLIDAYS, date(2026, 3, 20), id="ordinary-friday"),
        pytest.param(date(2026, 3, 7), HOLIDAYS, date(2026, 3, 20), id="received-on-saturday"),
        pytest.param(date(2026, 3, 8), HOLIDAYS, date(2026, 3, 20), id="received-on-sunday"),
        pytest.param(date(2026, 3, 9), HOLIDAYS, date(2026, 3, 23), id="ordinary-monday"),
        # Koningsdag 2025 is Saturday 26 April; Monday 5 May 2025 is Bevrijdingsdag.
        pytest.param(
            date(2025, 4, 25), HOLIDAYS, date(2025, 5, 12), id="day-before-kings-day-2025"
        ),
        # Koningsdag Monday 27 April and Bevrijdingsdag Tuesday 5 May 2026.
        pytest.param(date(2026, 4, 24), HOLIDAYS, date(2026, 5, 12), id="kings-day-2026"),
        # Goede Vrijdag 3 April and Tweede Paasdag 6 April 2026.
        pytest.param(date(2026, 4, 2), HOLIDAYS, date(2026, 4, 20), id="easter-2026"),
        pytest.param(date(2026, 4, 3), HOLIDAYS, date(2026, 4, 20), id="received-good-friday"),
        # Hemelvaartsdag 14 May and Tweede Pinksterdag 25 May 2026.
        pytest.param(date(2026, 5, 13), HOLIDAYS, date(2026, 5, 29), id="ascension-whitsun"),
        pytest.param(
            date(2026, 5, 13),
            {*HOLIDAYS, ROYAL_DECREE_DAY},
            date(2026, 6, 1),
            id="royal-decree-friday-after-ascension",
        ),
        # 5 May 2026 is not a lustrum year and still not a working day.
        pytest.param(date(2026, 5, 4), HOLIDAYS, date(2026, 5, 20), id="liberation-day-2026"),
        pytest.param(date(2026, 5, 4), frozenset(), date(2026, 5, 18), id="without-holidays"),
    ],
)
def test_review_deadline(received_on: date, holidays: set[date], expected: date) -> None:
    assert review_deadline(received_on, holidays) == expected


@pytest.mark.parametrize(
    ("received_on", "working_days", "expected"),
    [
        (date(2026, 12, 18), 1, date(2026, 12, 21)),
        (date(2026, 12, 18), REVIEW_WORKING_DAYS, date(2027, 1, 5)),
        (date(2026, 12, 18), MAX_REVIEW_WORKING_DAYS, date(2027, 1, 12)),
    ],
)
def test_review_deadline_extended(received_on: date, working_days: int, expected: date) -> None:
    assert review_deadline(received_on, HOLIDAYS, working_days) == expected


@pytest.mark.parametrize("working_days", [-1, 0, MAX_REVIEW_WORKING_DAYS + 1, 20])
def test_review_deadline_outside_the_legal_period_is_refused(working_days: int) -> None:
    with pytest.raises(ValueError):
        review_deadline(date(2026, 3, 9), HOLIDAYS, working_days)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 3, 9), 0, date(2026, 3, 9)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),  # count 0 returns start even on a Saturday
        (date(2026, 3, 6), 1, date(2026, 3, 9)),
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        (date(2026, 12, 24), 1, date(2026, 12, 28)),
        (date(2026, 12, 24), 5, date(2027, 1, 4)),
    ],
)
def test_add_working_days(start: date, count: int, expected: date) -> None:
    assert add_working_days(start, count, HOLIDAYS) == expected


def test_add_working_days_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 9), -1, HOLIDAYS)


def test_add_working_days_accepts_the_holiday_mapping_itself() -> None:
    assert add_working_days(date(2026, 12, 24), 1, statutory_holidays(2026)) == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Friday to Monday
        (date(2026, 3, 9), date(2026, 3, 20), 9),
        (date(2026, 12, 18), date(2027, 1, 5), 10),
        (date(2026, 12, 24), date(2026, 12, 28), 1),  # over Christmas
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # over Easter
        (date(2026, 1, 2), date(2026, 12, 31), 252),  # 259 weekdays after 2 January, 7 holidays
    ],
)
def test_working_days_between_is_antisymmetric_for_working_days(
    start: date, end: date, expected: int
) -> None:
    assert working_days_between(start, end, HOLIDAYS) == expected
    assert working_days_between(end, start, HOLIDAYS) == -expected


@pytest.mark.parametrize(
    ("today", "deadline", "expected"),
    [
        (date(2026, 3, 7), date(2026, 3, 9), 1),  # Saturday before a Monday deadline
        (date(2026, 3, 8), date(2026, 3, 9), 1),  # Sunday before a Monday deadline
        (date(2026, 3, 7), date(2026, 3, 6), -1),  # Saturday after a Friday deadline: overdue
        (date(2026, 3, 8), date(2026, 3, 6), -1),
        (date(2026, 3, 9), date(2026, 3, 6), -1),
        (date(2026, 3, 10), date(2026, 3, 6), -2),
        (date(2026, 12, 28), date(2026, 12, 24), -1),  # Christmas days not counted
    ],
)
def test_working_days_between_around_weekends(today: date, deadline: date, expected: int) -> None:
    assert working_days_between(today, deadline, HOLIDAYS) == expected


def test_working_days_between_matches_counting_day_by_day() -> None:
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(62)]

    def naive(start: date, end: date) -> int:
        if end >= start:
            span = [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]
            return sum(is_working_day(day, HOLIDAYS) for day in span)
        span = [end + timedelta(days=n) for n in range((start - end).days)]
        return -sum(is_working_day(day, HOLIDAYS) for day in span)

    for start in days:
        for end in days:
            assert working_days_between(start, end, HOLIDAYS) == naive(start, end), (start, end)


@pytest.mark.parametrize("count", [0, 1, 4, 10, 15, 40])
@pytest.mark.parametrize("start", [date(2026, 3, 7), date(2026, 4, 2), date(2026, 12, 18)])
def test_working_days_between_inverts_add_working_days(start: date, count: int) -> None:
    end = add_working_days(start, count, HOLIDAYS)
    assert working_days_between(start, end, HOLIDAYS) == count


DEADLINE = date(2027, 1, 5)  # received Friday 18 December 2026


@pytest.mark.parametrize(
    ("today", "at_risk_within", "expected"),
    [
        (date(2026, 12, 18), 3, DeadlineStatus.ON_TRACK),  # 10 working days left
        (date(2026, 12, 29), 3, DeadlineStatus.ON_TRACK),  # 4 left: 30, 31 Dec, 4, 5 Jan
        (date(2026, 12, 30), 3, DeadlineStatus.AT_RISK),  # 3 left: New Year not counted
        (date(2027, 1, 1), 3, DeadlineStatus.AT_RISK),  # 2 left, on a holiday
        (date(2027, 1, 5), 3, DeadlineStatus.AT_RISK),  # due today
        (date(2027, 1, 6), 3, DeadlineStatus.OVERDUE),
        (date(2027, 1, 9), 3, DeadlineStatus.OVERDUE),  # a Saturday after the deadline
        (date(2027, 1, 4), 0, DeadlineStatus.ON_TRACK),  # 1 left, no warning margin
        (date(2027, 1, 5), 0, DeadlineStatus.AT_RISK),
        (date(2026, 12, 18), 10, DeadlineStatus.AT_RISK),
    ],
)
def test_deadline_status(today: date, at_risk_within: int, expected: DeadlineStatus) -> None:
    assert deadline_status(today, DEADLINE, HOLIDAYS, at_risk_within) is expected


def test_deadline_status_default_margin_is_three_working_days() -> None:
    assert deadline_status(date(2026, 12, 30), DEADLINE, HOLIDAYS) is DeadlineStatus.AT_RISK
    assert deadline_status(date(2026, 12, 29), DEADLINE, HOLIDAYS) is DeadlineStatus.ON_TRACK


def test_deadline_status_refuses_a_negative_margin() -> None:
    with pytest.raises(ValueError):
        deadline_status(date(2026, 12, 18), DEADLINE, HOLIDAYS, -1)


# --- pauses while waiting for a provider's reply ---------------------------------

from portal.domain.working_days import paused_days, review_deadline_with_pauses  # noqa: E402


@pytest.mark.parametrize(
    ("received", "pauses", "days", "expected"),
    [
        # No pause: Monday 2 November 2026 + 10 working days = Monday 16 November.
        (date(2026, 11, 2), [], 10, date(2026, 11, 16)),
        # Asked Wednesday 4 Nov, answered Monday 9 Nov: Thu, Fri and Mon do not count (3 days).
        (date(2026, 11, 2), [(date(2026, 11, 4), date(2026, 11, 9))], 10, date(2026, 11, 19)),
        # Asked and answered the same day: no working day is lost.
        (date(2026, 11, 2), [(date(2026, 11, 4), date(2026, 11, 4))], 10, date(2026, 11, 16)),
        # Two pauses of one working day each.
        (
            date(2026, 11, 2),
            [(date(2026, 11, 3), date(2026, 11, 4)), (date(2026, 11, 10), date(2026, 11, 11))],
            10,
            date(2026, 11, 18),
        ),
        # Extended to 15 working days with a pause over Christmas 2026.
        (
            date(2026, 12, 14),
            [(date(2026, 12, 16), date(2026, 12, 21))],
            15,
            # 15, 16 | paused 17, 18, 21 | 22, 23, 24, 28, 29, 30, 31, 4, 5, 6, 7, 8, 11 Jan
            date(2027, 1, 11),
        ),
    ],
)
def test_review_deadline_with_pauses(
    received: date, pauses: list[tuple[date, date]], days: int, expected: date
) -> None:
    holidays = statutory_holidays_for_years([2026, 2027])
    assert review_deadline_with_pauses(received, holidays, days, pauses) == expected


def test_paused_days() -> None:
    assert paused_days([(date(2026, 11, 4), date(2026, 11, 6))]) == {
        date(2026, 11, 5),
        date(2026, 11, 6),
    }
    assert paused_days([(date(2026, 11, 4), date(2026, 11, 4))]) == set()
