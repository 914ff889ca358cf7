"""When a framework agreement starts and ends.

Source: seed 003 (inkoopstrategie Midden-Limburg) §4.1: the agreements run from 1 January 2026
to 31 December 2029, with an option to extend twice by three years; a provider that joins
during the term gets a shorter agreement, because the end date of 31 December 2029 (and later
of any extension) is fixed for everyone. §6.2: definitive award in July 2025, implementation
July to December 2025, agreements in force from 1 January 2026.

The figures below are the seed's; the portal keeps the live values as data, and every function
takes them as parameters.
"""

from __future__ import annotations

import calendar
from datetime import date

from dateutil.relativedelta import relativedelta

#: Start of the term of the framework agreements (seed 003 §4.1, §6.2).
TERM_START = date(2026, 1, 1)
#: Common end date before any extension (seed 003 §4.1).
INITIAL_END = date(2029, 12, 31)
#: Length of one extension option in years (seed 003 §4.1: "twee maal drie jaar").
OPTION_YEARS = 3
#: Number of extension options (seed 003 §4.1).
OPTIONS_TOTAL = 2


class ContractDateError(ValueError):
    """A contract date rule of seed 003 §4.1 forbids the requested step."""


class AdmissionAfterEndError(ContractDateError):
    """The agreement would start after the common end date, so there is nothing to sign."""

    def __init__(self, start: date, end: date) -> None:
        super().__init__(f"agreement would start on {start} after the common end date {end}")
        self.start = start
        self.end = end


class NoOptionLeftError(ContractDateError):
    """Every extension option has already been exercised."""

    def __init__(self, options_total: int) -> None:
        super().__init__(f"all {options_total} extension options have been exercised")
        self.options_total = options_total


class OptionTooLateError(ContractDateError):
    """An extension is decided after the agreements have already ended."""

    def __init__(self, decision_date: date, current_end: date) -> None:
        super().__init__(
            f"an extension decided on {decision_date} comes after the end date {current_end}"
        )
        self.decision_date = decision_date
        self.current_end = current_end


def _shift_end_date(end: date, years: int) -> date:
    """Move an end date by whole years, keeping a month-end a month-end.

    Plain year arithmetic clips 29 February to 28 February; the reverse case matters as well:
    an agreement ending on the last day of February (28-02-2027) extended by a year ends on
    the last day of February (29-02-2028), not a day early.
    """
    shifted = end + relativedelta(years=years)
    if end.day == calendar.monthrange(end.year, end.month)[1]:
        shifted += relativedelta(day=31)  # relativedelta clips day=31 to the month's last day
    return shifted


def _check_option_figures(option_years: int, options_exercised: int) -> None:
    if option_years < 1:
        raise ValueError("an extension option lasts at least one year")
    if options_exercised < 0:
        raise ValueError("options_exercised must be zero or more")


def common_end_date(initial_end: date, option_years: int, options_exercised: int) -> date:
    """Return the common end date of all agreements after ``options_exercised`` extensions.

    Source: seed 003 §4.1: every agreement ends on the common end date (31-12-2029), and each
    exercised option of three years moves it (31-12-2032, then 31-12-2035). A month-end stays
    a month-end, so the last day of February stays the last day of February.
    """
    _check_option_figures(option_years, options_exercised)
    return _shift_end_date(initial_end, option_years * options_exercised)


def agreement_period(admission_date: date, term_start: date, common_end: date) -> tuple[date, date]:
    """Return the (start, end) of the agreement of a provider admitted on ``admission_date``.

    Source: seed 003 §4.1 and §6.2. The agreement starts on admission, but never before the
    term does (admissions of the initial round in July 2025 start on 1-1-2026), and ends on the
    common end date: a late joiner gets a shorter agreement. Raises
    :class:`AdmissionAfterEndError` when the start would fall after the end.
    """
    start = max(admission_date, term_start)
    if start > common_end:
        raise AdmissionAfterEndError(start, common_end)
    return start, common_end


def next_option_end_date(
    current_end: date,
    option_years: int,
    options_exercised: int,
    options_total: int,
    decision_date: date,
) -> date:
    """Return the common end date after exercising the next extension option.

    Source: seed 003 §4.1 (an option to extend twice by three years). Raises
    :class:`NoOptionLeftError` when ``options_exercised`` already reaches ``options_total``,
    and :class:`OptionTooLateError` when ``decision_date`` is after ``current_end``: an
    agreement that has ended cannot be extended. A decision on the end date itself is in time.
    """
    _check_option_figures(option_years, options_exercised)
    if options_exercised >= options_total:
        raise NoOptionLeftError(options_total)
    if decision_date > current_end:
        raise OptionTooLateError(decision_date, current_end)
    return _shift_end_date(current_end, option_years)
