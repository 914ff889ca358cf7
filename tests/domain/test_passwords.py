"""Password rules: length, the shipped list of common and breached passwords, guessability."""

from __future__ import annotations

import pytest

from portal.domain.passwords import Weakness, common_passwords, weakness


@pytest.mark.parametrize(
    ("password", "personal", "expected"),
    [
        ("kort-maar-ok", (), None),  # exactly 12 characters, not guessable
        ("te-kort-pw1", (), Weakness.TOO_SHORT),  # 11
        ("x" * 201, (), Weakness.TOO_LONG),
        ("123456789012", (), Weakness.COMMON),
        ("wachtwoord12345", (), Weakness.COMMON),  # Dutch, with digits added
        ("Welkom12345678!", (), Weakness.COMMON),  # case and decorations do not help
        ("qwertyuiop123", (), Weakness.COMMON),
        ("passwordpassword", (), Weakness.GUESSABLE),
        ("abcdefghijklmnop", (), Weakness.GUESSABLE),  # a sequence
        ("kleinestap2026", ("sanne@kleinestap.nl", "Praktijk De Kleine Stap"), Weakness.GUESSABLE),
        ("correct-horse-battery-staple", (), None),
        ("rivier paraplu fietsbel", (), None),
        ("demo-wachtwoord-2026", (), None),
    ],
)
def test_password_rules(
    password: str, personal: tuple[str, ...], expected: Weakness | None
) -> None:
    assert weakness(password, personal) is expected


def test_the_shipped_list_is_large_and_lower_case() -> None:
    words = common_passwords()
    assert len(words) > 30_000
    assert "wachtwoord" in words and "123456" in words
    assert all(w == w.lower() for w in words)
