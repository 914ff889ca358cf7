"""Amounts as people write them, kept as integer cents, and shown the way the reader's language
writes them. Also the figures providers report (KPI values), which are written the same way.

Source: how amounts reach the portal. People type Dutch amounts ("1.234,56", "104,96",
"€ 1.234,56"); English-speaking users type "1,234.56"; spreadsheets and CSV exports write
"104.96"; the portal shows "€ 1.234,56" in Dutch and "€1,234.56" in English (CLDR, via Babel).

The rules, the same whatever language the reader has chosen, so the same text is the same amount
for everyone (every form accepted below has only one reading):
- Spaces around the amount and an "€" before it are ignored ("€ 1.234,56", "€1,234.56").
- Digits are 0-9 only; no sign: an amount is never negative (a figure may be: `parse_figure`).
- Plain: "104", "0104".
- A decimal comma or point followed by one or two digits: "104,96", "1234,5", "104.96".
- Grouped thousands, with a decimal part: "1.234,56" (dots, then a comma) or "1,234.56" (commas,
  then a point). Groups are exactly three digits; the first has one to three.
- Refused as ambiguous: one separator followed by exactly three digits ("1.234" or "1,234" is a
  thousand and some in one language and one and a bit in the other), and so any grouping
  without a decimal part ("1.234.567"): write "1234" or "1.234,00".
- Refused: three or more decimals, a separator without digits after it ("104,"), mixed or
  misplaced grouping ("12.34,56", "1.234.56"), spaces inside the number, anything else.
- More than MAX_CENTS is AmountTooLarge, checked before a long string becomes a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, format_decimal

# Amounts are kept in cents in 64-bit integer columns (migration 0013). The cap is a business
# one: EUR 10 billion, far above any amount this portal handles (the region's yearly budget is
# EUR 51.1M, seed 003; all Dutch youth care costs about EUR 7.5 billion a year) and far below
# where the columns (EUR 92 quadrillion) or a sum of a few such amounts would overflow. Anything
# larger is a typing error.
MAX_CENTS = 10_000_000_000 * 100

# A KPI figure column is Numeric(14, 2) (portal/models/kpis.py): below 10^12, two decimals.
MAX_FIGURE = Decimal(10**12)

NUMBER_FORMS = (
    re.compile(r"(?P<whole>[0-9]{1,3}(?:\.[0-9]{3})+),(?P<fraction>[0-9]{1,2})"),  # 1.234,56
    re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+)\.(?P<fraction>[0-9]{1,2})"),  # 1,234.56
    re.compile(r"(?P<whole>[0-9]+)(?:,(?P<fraction>[0-9]{1,2}))?"),  # 104,96 or 104
    re.compile(r"(?P<whole>[0-9]+)\.(?P<fraction>[0-9]{1,2})"),  # 104.96 (a spreadsheet)
)
# Characters a copied amount may carry that mean a space: no-break and narrow no-break spaces.
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


class NotAnAmount(ValueError):
    """Text that is not an amount (or a figure) by the rules above, or could be read two ways."""


class AmountTooLarge(ValueError):
    """A well-formed amount above MAX_CENTS, or a figure the figure columns cannot hold."""


@dataclass(frozen=True)
class Amount:
    """An amount in cents given to a message, so it is shown in the reader's language."""

    cents: int


def _number(text: str) -> tuple[str, str]:
    """The whole part's digits (leading zeros removed) and the decimal part (two digits)."""
    for form in NUMBER_FORMS:
        match = form.fullmatch(text)
        if match:
            whole = re.sub(r"[.,]", "", match.group("whole")).lstrip("0") or "0"
            return whole, (match.group("fraction") or "").ljust(2, "0")
    raise NotAnAmount(text)


def _bare(text: str) -> str:
    return text.translate(SPACES).strip().removeprefix("€").strip()


def parse_amount(text: str) -> int:
    """'1.234,56', '1,234.56', '€ 104,96', '104.96' or '104' -> cents, by the rules in the
    module's docstring. NotAnAmount for anything else, AmountTooLarge above MAX_CENTS."""
    whole, fraction = _number(_bare(text))
    if len(whole) > len(str(MAX_CENTS // 100)):  # never int() a thousand digits
        raise AmountTooLarge(text)
    cents = int(whole) * 100 + int(fraction)
    if cents > MAX_CENTS:
        raise AmountTooLarge(text)
    return cents


def parse_figure(text: str) -> Decimal:
    """A reported figure (a count, a percentage, a mark, an amount in euros): written like an
    amount, optionally with a minus sign before the digits ('-2,5', '€ -5'); at most two
    decimals, as the figure columns hold. AmountTooLarge from MAX_FIGURE on."""
    bare = _bare(text)
    negative = bare.startswith("-")
    whole, fraction = _number(bare.removeprefix("-"))
    if len(whole) >= len(str(MAX_FIGURE)):  # 13 digits is 10^12 or more
        raise AmountTooLarge(text)
    return Decimal(f"{'-' if negative else ''}{whole}.{fraction}")


def cents_of(euros: Decimal) -> int:
    """Euros (a KPI turnover figure, a sum of them) in cents, rounded half-up: a sum read back
    from SQLite can be a hair off the cent, which truncating would lose."""
    return int((Decimal(euros) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def euros_of(cents: int) -> Decimal:
    return Decimal(cents) / 100


def format_money(cents: int, locale: str) -> str:
    """For reading: '€ 1.234,56' in Dutch, '€1,234.56' in English (CLDR)."""
    return format_currency(euros_of(cents), "EUR", locale=locale)


def format_amount(cents: int, locale: str) -> str:
    """For a form field: '1.234,56' in Dutch, '1,234.56' in English; parse_amount reads both
    back, in either language."""
    return format_decimal(euros_of(cents), format="#,##0.00", locale=locale)


def plain_amount(cents: int) -> str:
    """For a file another program reads (CSV): '1234.56', no grouping, a decimal point."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def format_figure(value: Decimal, locale: str) -> str:
    """A figure for reading, without trailing zeros: '1.234,5' in Dutch, '1,234.5' in English."""
    return format_decimal(value, format="#,##0.##", locale=locale)
