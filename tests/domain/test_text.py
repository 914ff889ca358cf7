"""Single-line text (portal/domain/text.py; RFC 5322 section 2.2, OWASP header injection)."""

from __future__ import annotations

import pytest

from portal.domain.text import has_control_characters, single_line


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("Praktijk De Bron B.V.", False),
        ("Zorg & Welzijn — 't Hôfke", False),  # accents, dashes and ampersands are text
        ("Evil\r\nBcc: x@evil.example", True),
        ("a\tb", True),
        ("a\x00b", True),
        ("a\x7fb", True),
        ("a\x85b", True),  # NEL, a C1 control
        ("a\u2028b", True),  # line separator
        ("a\u2029b", True),  # paragraph separator
    ],
)
def test_has_control_characters(value: str, found: bool) -> None:
    assert has_control_characters(value) is found


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Evil\r\nBcc: x@evil.example", "Evil Bcc: x@evil.example"),
        ("  twee   spaties\n", "twee spaties"),
        ("Gewoon", "Gewoon"),
    ],
)
def test_single_line(value: str, expected: str) -> None:
    assert single_line(value) == expected
