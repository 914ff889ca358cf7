"""A DAS's own criteria: their codes and their evidence rules, as the administrator sets them.

Source: issue 19 ("per criterion the evidence types that count, their maximum age, whether
evidence is required"), seed 003 §4.7 (exclusion grounds pass on "no", suitability criteria on
"yes") and ../shared/DOMAIN.md "Suitability criteria" for the age limits per kind of evidence
(portal.domain.evidence.DEFAULT_MAX_AGE_MONTHS)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from portal.domain.evidence import DEFAULT_MAX_AGE_MONTHS

#: Codes start with U (uitsluitingsgrond) or G (geschiktheidseis), as in the model agreements.
CODE_PREFIX = {"exclusion": "U", "suitability": "G"}
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")


def suggested_code(kind: str, existing: Iterable[str]) -> str:
    """The next free code of a kind: U1, U2, ... for exclusion grounds, G1, ... for suitability
    criteria, one past the highest number in use (a gap left by a removed criterion stays)."""
    prefix = CODE_PREFIX[kind]
    taken = {code.upper() for code in existing}
    numbers = [
        int(code[len(prefix) :])
        for code in taken
        if code.startswith(prefix) and code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def passing_answer(kind: str) -> bool:
    """The answer that passes without a judgement: "no" to an exclusion ground, "yes" to a
    suitability criterion (seed 003 §4.7)."""
    return kind != "exclusion"


def default_max_age(evidence_types: Sequence[str]) -> int | None:
    """The criterion's age limit when the administrator sets none: the limit the chosen kinds
    share (DOMAIN.md: 24 months for a Gedragsverklaring Aanbesteden, 6 for a tax statement or a
    KvK extract), or None when they do not share one. A criterion's limit holds for every
    document given for it, so a limit of one kind is not put on another; each kind keeps its
    own limit at upload anyway (portal.domain.evidence.strictest_max_age)."""
    limits = {DEFAULT_MAX_AGE_MONTHS.get(t) for t in evidence_types}
    if len(limits) != 1:
        return None
    return limits.pop()
