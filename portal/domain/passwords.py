"""Password rules (OWASP ASVS 4.0 §2.1, NCSC ICT-beveiligingsrichtlijnen voor webapplicaties):
at least 12 characters, not a common or breached password, not easy to guess.

The list of common and breached passwords is shipped with the project
(`portal/data/common-passwords.txt`): no password ever leaves the machine. zxcvbn estimates how
guessable the rest is, counting the user's own name, e-mail address and organisation as words
an attacker would try first.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200  # scrypt takes any length; a bound keeps hashing cheap for abusive input
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attack"
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


class Weakness(enum.StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    GUESSABLE = "guessable"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _variants(password: str) -> set[str]:
    """The password and what remains after the usual decorations: case, spaces, and digits
    or symbols added at the end or the start ("Welkom2026!" is "welkom")."""
    lowered = password.lower().strip()
    bare = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    return {lowered, bare, lowered.replace(" ", "")}


def weakness(password: str, personal: Iterable[str] = ()) -> Weakness | None:
    if len(password) < MIN_LENGTH:
        return Weakness.TOO_SHORT
    if len(password) > MAX_LENGTH:
        return Weakness.TOO_LONG
    if _variants(password) & common_passwords():
        return Weakness.COMMON
    words = [w for text in personal if text for w in re.split(r"[\s@.,_-]+", text.lower()) if w]
    if zxcvbn(password, user_inputs=words)["score"] < MIN_SCORE:
        return Weakness.GUESSABLE
    return None
