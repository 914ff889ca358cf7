"""Identifier rules (DOMAIN.md "Identifiers to validate")."""

from __future__ import annotations

import pytest

from portal.domain import identifiers
from portal.domain.identifiers import InvalidIdentifier


@pytest.mark.parametrize(
    ("func", "given", "expected"),
    [
        (identifiers.kvk_number, "69599084", "69599084"),
        (identifiers.kvk_number, " 6959 9084 ", "69599084"),
        (identifiers.kvk_number, "6959.9084", "69599084"),
        (identifiers.branch_number, "000012345678", "000012345678"),
        (identifiers.agb_code, "98765432", "98765432"),
        (identifiers.vat_number, "NL000099998B57", "NL000099998B57"),
        (identifiers.vat_number, "nl 0000.99998.B57", "NL000099998B57"),
        (identifiers.iban, "NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),
        (identifiers.dutch_postcode, "6041ab", "6041 AB"),
    ],
)
def test_valid(func, given: str, expected: str) -> None:
    assert func(given) == expected


@pytest.mark.parametrize(
    ("func", "given", "code"),
    [
        (identifiers.kvk_number, "1234567", "kvk"),
        (identifiers.kvk_number, "123456789", "kvk"),
        (identifiers.kvk_number, "1234567a", "kvk"),
        (identifiers.kvk_number, "", "kvk"),
        (identifiers.branch_number, "12345678901", "branch"),
        (identifiers.agb_code, "1234", "agb"),
        (identifiers.vat_number, "NL000099998B58", "vat"),
        (identifiers.vat_number, "DE123456789", "vat"),
        (identifiers.iban, "NL91 ABNA 0417 1643 01", "iban"),
        (identifiers.dutch_postcode, "0123 AB", "postcode"),
    ],
)
def test_invalid(func, given: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as error:
        func(given)
    assert error.value.code == code
