"""portal.domain.money in the reader's language: the `money` template filter, amounts put back
into form fields, figures in messages. The rules themselves are in portal.domain.money."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale

from portal.domain import money


def reader_locale() -> str:
    """The language of the request or mail being rendered; Dutch outside one (a CLI command)."""
    return str(get_locale() or "nl")


def format_money(cents: int | None) -> str:
    return "–" if cents is None else money.format_money(cents, reader_locale())


def format_amount(cents: int) -> str:
    return money.format_amount(cents, reader_locale())


def format_figure(value: Decimal) -> str:
    return money.format_figure(value, reader_locale())
