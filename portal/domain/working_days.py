"""Working days and the review deadline of a DAS admission request.

Sources:

- EU directive 2014/24/EU art. 34(5) and Aanbestedingswet 2012 art. 2.108: a request to be
  admitted to a dynamic purchasing system is assessed within 10 working days, extendable to
  15 with a reason (DOMAIN.md, "The procedure"; seed 003 §4.5).
- Algemene termijnenwet art. 3: which days are not working days. Lid 1 names the generally
  recognised holidays, lid 2 equates Good Friday with them, lid 3 lets a royal decree equate
  further days (typically the Friday after Ascension Day). EU Regulation 1182/71 leaves public
  holidays to the member state.

Royal-decree days are *not* generated here: they are data an administrator maintains. Every
function that counts working days therefore takes the holiday set as a parameter, usually the
statutory days of :func:`statutory_holidays` plus the decreed days kept in the database.
Time is always a parameter: nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from enum import StrEnum

from dateutil.easter import easter

#: Working days within which an admission request is assessed (dir. 2014/24 art. 34(5);
#: Aanbestedingswet 2012 art. 2.108).
REVIEW_WORKING_DAYS = 10

#: The assessment period may be extended to at most this many working days, with a reason
#: (dir. 2014/24 art. 34(5); Aanbestedingswet 2012 art. 2.108).
MAX_REVIEW_WORKING_DAYS = 15

#: First year for which :func:`statutory_holidays` is right: Koningsdag (27 April) replaced
#: Koninginnedag (30 April) in 2014.
FIRST_SUPPORTED_YEAR = 2014

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def statutory_holidays(year: int) -> dict[date, str]:
    """Return the holidays of the Algemene termijnenwet art. 3(1) and 3(2) in ``year``.

    Art. 3(1): Nieuwjaarsdag, Tweede Paasdag, Tweede Pinksterdag, Eerste and Tweede Kerstdag,
    Hemelvaartsdag, the day the King's birthday is celebrated (Koningsdag: 27 April, or
    26 April when the 27th is a Sunday) and 5 May (Bevrijdingsdag, every year, not only in
    lustrum years). Art. 3(2): Goede Vrijdag. Easter Sunday and Whit Sunday are Sundays anyway
    and are not listed. Days equated by royal decree (art. 3(3)) are data, not rules, and are
    not included.

    The result is ordered by date; when two holidays share a date (Hemelvaartsdag fell on
    5 May in 2016) the names are joined.
    """
    if year < FIRST_SUPPORTED_YEAR:
        raise ValueError(f"statutory holidays are only defined from {FIRST_SUPPORTED_YEAR}")
    easter_sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    named: list[tuple[date, str]] = [
        (date(year, 1, 1), "Nieuwjaarsdag"),
        (easter_sunday - timedelta(days=2), "Goede Vrijdag"),
        (easter_sunday + timedelta(days=1), "Tweede Paasdag"),
        (kings_day, "Koningsdag"),
        (date(year, 5, 5), "Bevrijdingsdag"),
        (easter_sunday + timedelta(days=39), "Hemelvaartsdag"),
        (easter_sunday + timedelta(days=50), "Tweede Pinksterdag"),
        (date(year, 12, 25), "Eerste Kerstdag"),
        (date(year, 12, 26), "Tweede Kerstdag"),
    ]
    holidays: dict[date, str] = {}
    for day, name in named:
        holidays[day] = f"{holidays[day]} en {name}" if day in holidays else name
    return dict(sorted(holidays.items()))


def statutory_holidays_for_years(years: Iterable[int]) -> dict[date, str]:
    """Return :func:`statutory_holidays` of several years in one mapping, ordered by date.

    A deadline can run into the next year (a request received in December), so callers
    usually need the current and the next year together.
    """
    merged: dict[date, str] = {}
    for year in years:
        merged.update(statutory_holidays(year))
    return dict(sorted(merged.items()))


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    """Tell whether ``day`` is a working day: Monday to Friday and not in ``holidays``.

    Source: Algemene termijnenwet art. 1 and 3 (Saturday, Sunday and the recognised or
    equated holidays are not working days).
    """
    return day.weekday() < _SATURDAY and day not in holidays


def add_working_days(start: date, count: int, holidays: Collection[date]) -> date:
    """Return the day on which the ``count``-th working day after ``start`` falls.

    ``start`` itself is never counted: a request received on day D has its first working
    day on the first working day after D, whether or not D is a working day (a time limit
    starts the day after the event, EU Regulation 1182/71 art. 3(1)). ``count`` 0 returns
    ``start`` unchanged.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    holiday_set = frozenset(holidays)
    day = start
    remaining = count
    while remaining:
        day += _ONE_DAY
        if is_working_day(day, holiday_set):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """Count the working days from ``start`` to ``end``, for "working days left".

    Forwards (``end`` > ``start``): the working days after ``start`` up to and including
    ``end``, so that ``working_days_between(d, add_working_days(d, n, h), h) == n``.
    Backwards (``end`` < ``start``): the same count walking back from ``start``, i.e. the
    working days from ``end`` up to but not including ``start``, made negative. With a
    deadline as ``end`` and today as ``start`` a negative number is the working days overdue:
    a Friday deadline is one working day overdue on the Saturday, Sunday and Monday after it.
    Equal dates give 0 ("due today").

    Source: the counting rule of :func:`add_working_days` (Algemene termijnenwet art. 3 for
    which days count).
    """
    if end == start:
        return 0
    if end > start:
        return _working_days_in(start + _ONE_DAY, end, holidays)
    return -_working_days_in(end, start - _ONE_DAY, holidays)


def _working_days_in(first: date, last: date, holidays: Collection[date]) -> int:
    """Count the working days from ``first`` to ``last``, both included (``first <= last``)."""
    total_days = (last - first).days + 1
    full_weeks, rest = divmod(total_days, 7)
    weekdays = full_weeks * 5
    weekdays += sum(1 for offset in range(rest) if (first.weekday() + offset) % 7 < _SATURDAY)
    weekday_holidays = sum(
        1 for day in set(holidays) if first <= day <= last and day.weekday() < _SATURDAY
    )
    return weekdays - weekday_holidays


def review_deadline(
    received_on: date,
    holidays: Collection[date],
    working_days: int = REVIEW_WORKING_DAYS,
) -> date:
    """Return the last day on which an admission request received on ``received_on`` is decided.

    Source: dir. 2014/24 art. 34(5) and Aanbestedingswet 2012 art. 2.108: 10 working days,
    extendable to at most 15 with a reason; counted as in :func:`add_working_days`.
    """
    if not 1 <= working_days <= MAX_REVIEW_WORKING_DAYS:
        raise ValueError(
            f"the review period must be 1 to {MAX_REVIEW_WORKING_DAYS} working days,"
            f" not {working_days}"
        )
    return add_working_days(received_on, working_days, holidays)


def paused_days(pauses: Iterable[tuple[date, date]]) -> set[date]:
    """The days on which the review clock stands still.

    A pause runs from the day a clarification is asked (that day still counts) up to and
    including the day the provider answers (the clock runs again from the next day), so a
    pause (A, R) stops the clock on the days after A up to and including R. Source: the
    portal's reading of "the assessment clock is paused while the portal waits for the
    provider", counted like the receipt day in :func:`add_working_days`.
    """
    days: set[date] = set()
    for asked_on, answered_on in pauses:
        day = asked_on + _ONE_DAY
        while day <= answered_on:
            days.add(day)
            day += _ONE_DAY
    return days


def review_deadline_with_pauses(
    received_on: date,
    holidays: Collection[date],
    working_days: int,
    pauses: Iterable[tuple[date, date]],
) -> date:
    """:func:`review_deadline` with the clock stopped during clarification pauses."""
    return review_deadline(received_on, set(holidays) | paused_days(pauses), working_days)


class DeadlineStatus(StrEnum):
    """How a review stands against its deadline."""

    ON_TRACK = "on_track"  # more than the warning margin of working days left
    AT_RISK = "at_risk"  # due within the warning margin, or due today
    OVERDUE = "overdue"  # the deadline has passed without a decision


def deadline_status(
    today: date,
    deadline: date,
    holidays: Collection[date],
    at_risk_within: int = 3,
) -> DeadlineStatus:
    """Classify a pending review on ``today`` against its ``deadline``.

    Overdue when ``today`` is after the deadline; at risk when at most ``at_risk_within``
    working days are left (see :func:`working_days_between`); on track otherwise. The
    margin is a portal choice to warn reviewers in time for the 10-working-day rule of
    dir. 2014/24 art. 34(5), not a legal rule.
    """
    if at_risk_within < 0:
        raise ValueError("at_risk_within must be zero or more")
    if today > deadline:
        return DeadlineStatus.OVERDUE
    if working_days_between(today, deadline, holidays) <= at_risk_within:
        return DeadlineStatus.AT_RISK
    return DeadlineStatus.ON_TRACK
