"""Which earlier answer may start an answer to another criterion (portal.domain.grounds)."""

from __future__ import annotations

import pytest

from portal.domain.grounds import covers, ground_of, national_key

E, S = "exclusion", "suitability"


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        # The same code, in any order or spelling of the list.
        ((E, "espd", "fraud", "Fraude"), (E, "espd", "fraud", "Fraudeveroordeling"), True),
        # A source that asked more answers a target that asks less ...
        ((E, "espd", "tax-pay socsec-pay", "x"), (E, "espd", "socsec-pay", "y"), True),
        # ... never the other way round.
        ((E, "espd", "tax-pay", "x"), (E, "espd", "tax-pay socsec-pay", "y"), False),
        # An exclusion answer never starts a suitability answer.
        ((E, "espd", "qu-certif-indep", "x"), (S, "espd", "qu-certif-indep", "x"), False),
        # The bucket code for national grounds names no ground.
        ((E, "espd", "nati-ground", "Bibob"), (E, "espd", "nati-ground", "Fraude"), False),
        # National grounds: the same name, whatever the case, accents or punctuation.
        ((E, "national", "", "Wet Bibob-toets"), (E, "national", "", "wet bibob toets"), True),
        ((E, "national", "", "Wet Bibob"), (E, "national", "", "Wet Bibob-toets"), False),
        ((E, "national", "nati-ground", "Wet Bibob"), (E, "national", "", "WET BIBOB"), True),
        # Own criteria of a region never carry over to another criterion by name.
        ((S, "own", "", "Berichtenverkeer"), (S, "own", "", "Berichtenverkeer"), False),
        # A criterion without codes is not answered by one with codes.
        ((S, "espd", "trade-regist", "KvK"), (S, "own", "", "KvK"), False),
    ],
)
def test_covers(
    source: tuple[str, str, str, str], target: tuple[str, str, str, str], expected: bool
) -> None:
    assert covers(ground_of(*source), ground_of(*target)) is expected


def test_national_key() -> None:
    assert national_key("  Één  Ground, (NL) ") == "een ground nl"
