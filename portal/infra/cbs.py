"""The Dutch municipalities with their CBS codes (portal/data/cbs_gemeenten.csv), read once.

The source and year of the list are in portal/data/README.md."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LIST = Path(__file__).parent.parent / "data" / "cbs_gemeenten.csv"


@dataclass(frozen=True)
class Municipality:
    code: str  # GM + four digits: GM0957
    name: str  # as CBS writes it: Roermond, Bergen (NH.)


@cache
def municipalities() -> dict[str, Municipality]:
    """code -> municipality, in the list's (alphabetical) order."""
    with LIST.open(encoding="utf-8", newline="") as file:
        return {row["code"]: Municipality(row["code"], row["name"]) for row in csv.DictReader(file)}


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().casefold())


@cache
def _by_name() -> dict[str, Municipality | None]:
    """Lowercased name -> municipality; also the name without CBS's province suffix ("Beek" for
    "Beek (L.)") where that is unambiguous (None marks an ambiguous one: "Bergen")."""
    index: dict[str, Municipality | None] = {}
    for municipality in municipalities().values():
        index[_key(municipality.name)] = municipality
    for municipality in municipalities().values():
        short = _key(re.sub(r"\s*\(.*\)$", "", municipality.name))
        if short != _key(municipality.name):
            index[short] = None if short in index else municipality
    return index


def find(text: str) -> Municipality | None:
    """A municipality by its code (GM0957, gm0957, 0957 or 957), its name (any case), or both
    ("GM0957 Roermond", as the pages show a list back): then the two must agree."""
    cleaned = text.strip()
    coded = re.fullmatch(r"(?i)(?:GM)?\s*(\d{1,4})(?:\s+(\S.*))?", cleaned)
    if not coded:
        return _by_name().get(_key(cleaned))
    found = municipalities().get(f"GM{int(coded.group(1)):04d}")
    if found is not None and coded.group(2) and _by_name().get(_key(coded.group(2))) != found:
        return None
    return found
