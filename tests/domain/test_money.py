"""Amounts as people write them (portal.domain.money): the inputs below are real ones, from the
demo's tariff list, the region's budget (seed 003: EUR 51.1M), the portal's own displays in
Dutch and English, and CSV exports."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.money import (
    MAX_CENTS,
    AmountTooLarge,
    NotAnAmount,
    cents_of,
    format_amount,
    format_figure,
    format_money,
    parse_amount,
    parse_figure,
    plain_amount,
)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("68,40", 6_840),  # the demo's tariff for 45A01
        ("1,62", 162),  # per minute (45K01)
        ("3.950,00", 395_000),  # grouped, with cents (54D01)
        ("1.234,56", 123_456),
        ("1.234,5", 123_450),
        ("1234,5", 123_450),
        ("1234,56", 123_456),
        ("104", 10_400),
        ("0104", 10_400),
        ("0", 0),
        ("0,5", 50),
        ("€ 1.234,56", 123_456),
        ("€1.234,56", 123_456),
        ("€\u00a01.234,56", 123_456),  # the portal's own Dutch display, copied
        ("€1,234.56", 123_456),  # the portal's own English display, copied
        ("1,234.56", 123_456),
        ("1,234,567.8", 123_456_780),
        ("104.96", 10_496),  # a spreadsheet or a CSV export
        ("1234.5", 123_450),
        ("  51.100.000,00 ", 5_110_000_000),  # the region's budget
        ("\u202f2.500,00\u00a0", 250_000),  # narrow and ordinary no-break spaces around
        ("10.000.000.000,00", MAX_CENTS),
    ],
)
def test_amounts_people_write_read_as_cents(typed: str, cents: int) -> None:
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    "typed",
    [
        "1.234",  # a thousand and some in Dutch, one and a bit in English: ambiguous
        "1,234",
        "1.234.567",  # grouped without cents: write 1234567 or 1.234.567,00
        "1,234,567",
        "100.123",  # three decimals
        "1,2345",
        "104,",
        ",50",
        ".5",
        "12.34,56",  # a group of two
        "1.234.56",  # points only, the last before two digits
        "1,234,56",
        "1.234,567",
        "1 234,56",  # a space inside the number
        "-3",  # an amount is never negative
        "+3",
        "€",
        "",
        "honderd",
        "1e3",
        "NaN",
        "Infinity",
        "١٠٤",  # Arabic-Indic digits: int() would read them, a reader here would not
        "104 €",
    ],
)
def test_ambiguous_or_malformed_amounts_are_refused(typed: str) -> None:
    with pytest.raises(NotAnAmount):
        parse_amount(typed)


@pytest.mark.parametrize("typed", ["10.000.000.000,01", "92233720368547758,08", "9" * 5000 + ",00"])
def test_amounts_above_the_cap_are_too_large(typed: str) -> None:
    with pytest.raises(AmountTooLarge):
        parse_amount(typed)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("7,5", D("7.5")),  # a client satisfaction mark
        ("7.5", D("7.5")),
        ("1.234,5", D("1234.5")),  # the provider's KPI form used to read this one...
        ("1234,56", D("1234.56")),
        ("€ 48.000,00", D("48000")),  # turnover, typed as an amount
        ("-2,5", D("-2.5")),  # a figure may be negative
        ("€ -5", D("-5")),
        ("0", D("0")),
        ("999999999999,99", D("999999999999.99")),  # the largest a figure column holds
    ],
)
def test_figures_are_read_like_amounts(typed: str, value: D) -> None:
    assert parse_figure(typed) == value


@pytest.mark.parametrize("typed", ["1.234", "1,234", "1.234.567", "12,345", "--5", "veel", ""])
def test_ambiguous_figures_are_refused(typed: str) -> None:
    with pytest.raises(NotAnAmount):
        parse_figure(typed)


def test_a_figure_the_columns_cannot_hold_is_too_large() -> None:
    with pytest.raises(AmountTooLarge):
        parse_figure("1000000000000")


@pytest.mark.parametrize(
    ("cents", "nl", "en"),
    [
        (123_456, "€\u00a01.234,56", "€1,234.56"),
        (5, "€\u00a00,05", "€0.05"),
        (0, "€\u00a00,00", "€0.00"),
        (MAX_CENTS, "€\u00a010.000.000.000,00", "€10,000,000,000.00"),
    ],
)
def test_amounts_are_shown_the_way_each_language_writes_them(cents: int, nl: str, en: str) -> None:
    assert format_money(cents, "nl") == nl
    assert format_money(cents, "en") == en


@pytest.mark.parametrize(
    ("cents", "nl", "en"),
    [
        (123_456, "1.234,56", "1,234.56"),
        (250_000_00, "250.000,00", "250,000.00"),
        (7, "0,07", "0.07"),
    ],
)
def test_an_amount_put_back_in_a_field_reads_back_in_either_language(
    cents: int, nl: str, en: str
) -> None:
    assert (format_amount(cents, "nl"), format_amount(cents, "en")) == (nl, en)
    assert parse_amount(nl) == parse_amount(en) == cents


@given(st.integers(min_value=0, max_value=MAX_CENTS), st.sampled_from(["nl", "en"]))
def test_every_amount_the_portal_writes_reads_back(cents: int, locale: str) -> None:
    assert parse_amount(format_amount(cents, locale)) == cents
    assert parse_amount(format_money(cents, locale)) == cents
    assert parse_amount(plain_amount(cents)) == cents


@pytest.mark.parametrize(
    ("cents", "plain"), [(123_456, "1234.56"), (5, "0.05"), (0, "0.00"), (-150, "-1.50")]
)
def test_files_get_a_plain_decimal_point(cents: int, plain: str) -> None:
    assert plain_amount(cents) == plain


@pytest.mark.parametrize(
    ("euros", "cents"),
    [
        (D("1000.00"), 100_000),
        (D("0.1") + D("0.2"), 30),
        # A sum read back from SQLite's floating point, a hair below the cent: truncating
        # (what `(x * 100)|int` did) would lose the cent.
        (D("1234.5599999999999"), 123_456),
        (D("0.005"), 1),  # half-up, like a tariff (portal.domain.indexation)
    ],
)
def test_euros_become_cents_rounded_half_up(euros: D, cents: int) -> None:
    assert cents_of(euros) == cents


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [(D("1234.50"), "1.234,5", "1,234.5"), (D("100"), "100", "100"), (D("7.25"), "7,25", "7.25")],
)
def test_figures_are_shown_without_trailing_zeros(value: D, nl: str, en: str) -> None:
    assert (format_figure(value, "nl"), format_figure(value, "en")) == (nl, en)
