"""Numbers from the URL, read so that no made-up value reaches the database or a date.

Ids in paths are 32-bit INTEGER columns on PostgreSQL (SQLite takes 64 bits); a bigger number
made the query itself fail with a 500. `IdConverter` replaces Flask's `int` converter for every
route: only 1 .. 2**31 - 1 matches, anything else is a 404 like an id nobody has (and so is a
path value with NUL in it). Query-string
numbers (page numbers, years, ids in filters, weights) go through the parsers below: a value
that is not a sensible number of its kind counts as absent, so the page falls back to its
default, the way a missing page number means page 1.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's INTEGER (and SERIAL) holds 2**31 - 1 at most.
MAX_ID = 2**31 - 1
# The years the portal can reason about: contract terms, index figures, holidays. The upload
# forms of tariffs and index figures accept the same range (portal/catalogue/forms.py).
MIN_YEAR, MAX_YEAR = 2000, 2100
# Longer than any number a person types; parsing stops here (Python's int() refuses beyond
# 4,300 digits anyway, with an error of its own).
MAX_NUMBER_LENGTH = 40


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: an integer from 1 to 2**31 - 1, so it fits the id columns of
    both databases. Other bounds can still be given (`<int(min=2000, max=2100):year>`)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Call before any route is added: a rule picks its converter when it is added."""
    app.url_map.converters["int"] = IdConverter

    @app.url_value_preprocessor
    def refuse_nul_in_path(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        """No slug, token or name contains NUL, and PostgreSQL cannot even compare text with
        it: such a path names nothing (the query string's NUL is refused in portal/web/register.py)."""
        if values and any(isinstance(v, str) and "\x00" in v for v in values.values()):
            # Nor may the error page look it up: a blueprint's context processor reads the
            # slug from these values (the provider's contact point) to render the 404 page.
            values.clear()
            abort(404)


def int_arg(
    name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """An integer query parameter between `minimum` and `maximum`, else `default`."""
    raw = request.args.get(name, "").strip()
    if not raw or len(raw) > MAX_NUMBER_LENGTH or not raw.lstrip("-").isascii():
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if minimum <= value <= maximum else default


def id_arg(name: str) -> int | None:
    """An id from the query string (a filter, the row being edited), or None."""
    return int_arg(name)


def year_arg(name: str, default: int) -> int:
    """A year from the query string between MIN_YEAR and MAX_YEAR, else `default`."""
    value = int_arg(name, default, minimum=MIN_YEAR, maximum=MAX_YEAR)
    assert value is not None
    return value


def decimal_arg(name: str, default: Decimal, *, minimum: Decimal, maximum: Decimal) -> Decimal:
    """A finite decimal ("2,5" or "2.5") between `minimum` and `maximum`, else `default`. NaN,
    Infinity and exponents that would make huge numbers are refused before any comparison."""
    raw = request.args.get(name, "").strip().replace(",", ".")
    if not raw or len(raw) > MAX_NUMBER_LENGTH or not raw.isascii():
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return default
    if not value.is_finite() or not minimum <= value <= maximum:
        return default
    return value


def safe_local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site ("/aanbieder/..."), else None: for every "go here
    next" a link or form carries (log-in, language switch, sections). "//host", a scheme, a
    backslash (browsers read "/\\host" as "//host") and control characters are refused."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
