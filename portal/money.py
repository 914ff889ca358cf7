"""Money is kept as integer cents; shown the Dutch way ("€ 1.234,56")."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_currency


def format_money(cents: int | None) -> str:
    if cents is None:
        return "–"
    # Decimal, not float: exact to the cent at any size.
    return format_currency(Decimal(cents) / 100, "EUR")
