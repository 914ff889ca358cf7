"""When two criteria, in the same DAS or in different ones, ask about the same ground (issue 22).

An answer given to one criterion may start the answer to another when the other asks nothing the
first did not answer: both are exclusion grounds (or both suitability criteria), and either every
ESPD code the other names was named by the first (a "no" to "taxes or social premiums unpaid"
answers "taxes unpaid" too, not the other way round), or both are the same national ground.

`nati-ground` is not a ground but the ESPD's bucket for "purely national exclusion grounds": it
never makes two criteria the same. A national ground is identified by its name, compared without
case, accents, punctuation or spacing (regions name the same national ground the same way; one
named differently is not carried over, and the provider answers it once more)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: ESPD codes that name a kind of ground rather than one ground.
BUCKET_CODES = frozenset({"nati-ground"})


@dataclass(frozen=True)
class Ground:
    kind: str  # "exclusion" or "suitability" (CriterionKind values)
    origin: str  # "espd", "national" or "own" (CriterionOrigin values)
    espd_codes: frozenset[str]  # without bucket codes
    name_key: str  # national_key(title) for a national ground, "" otherwise


def national_key(title: str) -> str:
    """A national ground's name for comparing: lower case, no accents, punctuation or spacing."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def ground_of(kind: str, origin: str, espd_codes: str, title: str) -> Ground:
    codes = frozenset(c for c in espd_codes.replace(",", " ").lower().split() if c)
    return Ground(
        kind=kind,
        origin=origin,
        espd_codes=codes - BUCKET_CODES,
        name_key=national_key(title) if origin == "national" else "",
    )


def covers(source: Ground, target: Ground) -> bool:
    """Whether an answer to `source` answers everything `target` asks."""
    if source.kind != target.kind:
        return False
    if target.espd_codes:
        return target.espd_codes <= source.espd_codes
    if target.origin == "national" and source.origin == "national":
        return bool(target.name_key) and target.name_key == source.name_key
    return False
