"""Reading a request's JSON body: its media type, its syntax, and each field's type, with every
wrong field named by its JSON Pointer (RFC 6901) so software can show where it is. What the
values mean (a KPI that exists, a period that has ended) is the services' to judge."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, NoReturn

from flask import request

from portal.api import refuse_large_bodies
from portal.api.problems import FieldError, Invalid
from portal.auth.access import ApiRefusal
from portal.services import Problem

# At most this many rows (figures, entries) in one request.
MAX_ITEMS = 500


def _no_constants(name: str) -> NoReturn:
    raise ValueError(name)  # NaN and Infinity are not JSON


def json_body(*, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object. 415 when it is not sent as JSON, 400 when it is not JSON at
    all, 413 (from Flask) beyond API_MAX_BODY_BYTES; `optional`: no body at all is {}."""
    if optional and not request.content_length and not request.mimetype:
        return {}
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise ApiRefusal(415, "api_not_json")
    raw = request.get_data(cache=True)
    refuse_large_bodies(len(raw))
    if optional and not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; arrays nested thousands deep
        # exhaust the parser's recursion.
        raise ApiRefusal(400, "api_malformed_json") from error
    if not isinstance(data, dict):
        raise Invalid([FieldError("", Problem("api_expected_object"))])
    # No text a person types contains NUL, and PostgreSQL cannot store it (the forms refuse it
    # for every request: portal/web/register.py).
    refuse_if([FieldError(pointer, Problem("api_nul_character")) for pointer in _nul_at(data, "")])
    return data


def _nul_at(value: object, pointer: str) -> list[str]:
    if isinstance(value, str):
        return [pointer] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            at = f"{pointer}/{escape(key)}"
            found += ([at] if "\x00" in key else []) + _nul_at(item, at)
        return found
    if isinstance(value, list):
        return [
            p for number, item in enumerate(value) for p in _nul_at(item, f"{pointer}/{number}")
        ]
    return []


def escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class Fields:
    """The fields of one JSON object at `pointer`; each reader returns the value, or None and
    notes the error (so one answer lists everything wrong). Fields not in `known` are errors
    too: a misspelt optional field would otherwise be ignored without a word."""

    def __init__(
        self, data: object, pointer: str, errors: list[FieldError], known: set[str]
    ) -> None:
        self.pointer = pointer
        self.errors = errors
        self.is_object = isinstance(data, dict)
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not self.is_object:
            self.fail("", "api_expected_object")
        for name in self.data:
            if name not in known:
                self.fail(name, "api_unknown_field")

    def at(self, name: str) -> str:
        return f"{self.pointer}/{escape(name)}" if name else self.pointer

    def fail(self, name: str, code: str, **params: object) -> None:
        self.errors.append(FieldError(self.at(name), Problem(code, **params)))

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required and self.is_object:
            self.fail(name, "api_field_required")
        return value

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, "api_expected_string")
            return None
        if required and not value.strip():
            self.fail(name, "api_field_required")
            return None
        return value

    def integer(self, name: str, *, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "api_expected_integer")
            return None
        return value

    def boolean(self, name: str, *, required: bool = True) -> bool | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(name, "api_expected_boolean")
            return None
        return value

    def figure(self, name: str) -> str | None:
        """A number, as JSON writes it or as text ("7.9", "7,9"): the text the forms read."""
        value = self._get(name, True)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            self.fail(name, "api_expected_number")
            return None
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    def items(self, name: str) -> list[tuple[str, object]]:
        """A list of rows (at most MAX_ITEMS), each with its pointer."""
        value = self._get(name, True)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(name, "api_expected_array")
            return []
        if len(value) > MAX_ITEMS:
            self.fail(name, "api_list_too_long", limit=MAX_ITEMS)
            return []
        return [(f"{self.at(name)}/{number}", item) for number, item in enumerate(value)]


def refuse_if(errors: list[FieldError]) -> None:
    if errors:
        raise Invalid(errors)
