"""Money is kept as integer cents; shown the Dutch way ("€ 1.234,56")."""

from __future__ import annotations

from flask_babel import format_currency


def format_money(cents: int | None) -> str:
    if cents is None:
        return "–"
    return format_currency(cents / 100, "EUR")
