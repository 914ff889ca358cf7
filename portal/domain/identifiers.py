"""Dutch identifiers: validated with python-stdnum where it has a module, plain formats otherwise.

Source: ../shared/DOMAIN.md "Identifiers to validate": KvK (8 digits), branch number (12 digits),
AGB (8 digits), VAT id (NL + 9 digits + B + 2 digits, stdnum.nl.btw), IBAN (mod-97, stdnum.iban),
postcode (stdnum.nl.postcode).
"""

from __future__ import annotations

import re

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError
from stdnum.nl import btw, postcode


class InvalidIdentifier(ValueError):
    """`code` names what is wrong; forms turn it into a Dutch message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _digits(value: str, length: int, code: str) -> str:
    compact = re.sub(r"[\s.\-]", "", value)
    if not re.fullmatch(rf"\d{{{length}}}", compact):
        raise InvalidIdentifier(code)
    return compact


def kvk_number(value: str) -> str:
    return _digits(value, 8, "kvk")


def branch_number(value: str) -> str:
    return _digits(value, 12, "branch")


def agb_code(value: str) -> str:
    return _digits(value, 8, "agb")


def vat_number(value: str) -> str:
    try:
        return "NL" + btw.validate(value)
    except ValidationError as error:
        raise InvalidIdentifier("vat") from error


def iban(value: str) -> str:
    try:
        return stdnum_iban.validate(value)
    except ValidationError as error:
        raise InvalidIdentifier("iban") from error


def dutch_postcode(value: str) -> str:
    try:
        return postcode.validate(value)
    except ValidationError as error:
        raise InvalidIdentifier("postcode") from error
