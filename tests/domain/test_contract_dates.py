"""Framework agreement dates (seed 003 §4.1, §6.2)."""

from datetime import date

import pytest

from portal.domain.contract_dates import (
    INITIAL_END,
    OPTION_YEARS,
    OPTIONS_TOTAL,
    TERM_START,
    AdmissionAfterEndError,
    ContractDateError,
    NoOptionLeftError,
    OptionTooLateError,
    agreement_period,
    common_end_date,
    next_option_end_date,
)


def test_seed_figures() -> None:
    assert TERM_START == date(2026, 1, 1)
    assert INITIAL_END == date(2029, 12, 31)
    assert (OPTION_YEARS, OPTIONS_TOTAL) == (3, 2)


@pytest.mark.parametrize(
    ("initial_end", "option_years", "options_exercised", "expected"),
    [
        (date(2029, 12, 31), 3, 0, date(2029, 12, 31)),
        (date(2029, 12, 31), 3, 1, date(2032, 12, 31)),
        (date(2029, 12, 31), 3, 2, date(2035, 12, 31)),
        (date(2029, 6, 30), 3, 1, date(2032, 6, 30)),
        (date(2029, 3, 15), 3, 1, date(2032, 3, 15)),
        # A month-end stays a month-end; 29 February never lands on 1 March.
        (date(2027, 2, 28), 1, 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 1, 1, date(2029, 2, 28)),
        (date(2028, 2, 29), 4, 1, date(2032, 2, 29)),
        (date(2028, 2, 28), 1, 1, date(2029, 2, 28)),  # not a month-end in a leap year
    ],
)
def test_common_end_date(
    initial_end: date, option_years: int, options_exercised: int, expected: date
) -> None:
    assert common_end_date(initial_end, option_years, options_exercised) == expected


@pytest.mark.parametrize(("option_years", "options_exercised"), [(0, 1), (-3, 1), (3, -1)])
def test_common_end_date_refuses_nonsense(option_years: int, options_exercised: int) -> None:
    with pytest.raises(ValueError):
        common_end_date(INITIAL_END, option_years, options_exercised)


@pytest.mark.parametrize(
    ("admission_date", "common_end", "expected"),
    [
        pytest.param(
            date(2027, 3, 15), INITIAL_END, (date(2027, 3, 15), INITIAL_END), id="late-joiner"
        ),
        pytest.param(
            date(2025, 7, 10), INITIAL_END, (date(2026, 1, 1), INITIAL_END), id="initial-round"
        ),
        pytest.param(
            date(2026, 1, 1), INITIAL_END, (date(2026, 1, 1), INITIAL_END), id="on-term-start"
        ),
        pytest.param(
            date(2029, 12, 31), INITIAL_END, (INITIAL_END, INITIAL_END), id="on-the-last-day"
        ),
        pytest.param(
            date(2030, 6, 1),
            date(2032, 12, 31),
            (date(2030, 6, 1), date(2032, 12, 31)),
            id="after-first-extension",
        ),
    ],
)
def test_agreement_period(
    admission_date: date, common_end: date, expected: tuple[date, date]
) -> None:
    assert agreement_period(admission_date, TERM_START, common_end) == expected


@pytest.mark.parametrize(
    ("admission_date", "common_end"),
    [
        (date(2030, 1, 2), INITIAL_END),
        (date(2036, 1, 1), date(2035, 12, 31)),
    ],
)
def test_admission_after_the_end_is_refused(admission_date: date, common_end: date) -> None:
    with pytest.raises(AdmissionAfterEndError) as raised:
        agreement_period(admission_date, TERM_START, common_end)
    assert (raised.value.start, raised.value.end) == (admission_date, common_end)


@pytest.mark.parametrize(
    ("current_end", "options_exercised", "decision_date", "expected"),
    [
        pytest.param(INITIAL_END, 0, date(2029, 6, 30), date(2032, 12, 31), id="first-option"),
        pytest.param(
            date(2032, 12, 31), 1, date(2032, 3, 1), date(2035, 12, 31), id="second-option"
        ),
        pytest.param(INITIAL_END, 0, INITIAL_END, date(2032, 12, 31), id="decided-on-the-end-date"),
    ],
)
def test_next_option_end_date(
    current_end: date, options_exercised: int, decision_date: date, expected: date
) -> None:
    assert (
        next_option_end_date(
            current_end, OPTION_YEARS, options_exercised, OPTIONS_TOTAL, decision_date
        )
        == expected
    )


@pytest.mark.parametrize(
    ("current_end", "options_exercised", "options_total", "decision_date", "error"),
    [
        pytest.param(
            date(2035, 12, 31), 2, 2, date(2035, 1, 1), NoOptionLeftError, id="third-option"
        ),
        pytest.param(INITIAL_END, 0, 0, date(2029, 1, 1), NoOptionLeftError, id="no-options"),
        pytest.param(
            INITIAL_END, 0, 2, date(2030, 1, 1), OptionTooLateError, id="decided-after-end"
        ),
        # Both rules broken: running out of options is the more basic reason.
        pytest.param(date(2035, 12, 31), 2, 2, date(2036, 1, 1), NoOptionLeftError, id="both"),
    ],
)
def test_next_option_end_date_refused(
    current_end: date,
    options_exercised: int,
    options_total: int,
    decision_date: date,
    error: type[ContractDateError],
) -> None:
    with pytest.raises(error):
        next_option_end_date(
            current_end, OPTION_YEARS, options_exercised, options_total, decision_date
        )


def test_exercising_options_one_by_one_matches_common_end_date() -> None:
    end = INITIAL_END
    for exercised in range(OPTIONS_TOTAL):
        end = next_option_end_date(end, OPTION_YEARS, exercised, OPTIONS_TOTAL, end)
        assert end == common_end_date(INITIAL_END, OPTION_YEARS, exercised + 1)
    assert end == date(2035, 12, 31)


@pytest.mark.parametrize("error", [AdmissionAfterEndError, NoOptionLeftError, OptionTooLateError])
def test_domain_errors_are_contract_date_errors(error: type[Exception]) -> None:
    assert issubclass(error, ContractDateError)
    assert issubclass(error, ValueError)
