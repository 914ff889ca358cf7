"""The EU ESPD criterion code list (portal/data/espd/Criterion.gc), read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import defusedxml.ElementTree as ET  # the shipped code list, parsed without entity expansion

CODE_LIST = Path(__file__).parent.parent / "data" / "espd" / "Criterion.gc"


@cache
def criteria() -> dict[str, dict[str, str]]:
    """code -> {"en": English label, "nl": Dutch label (English where the list has none)}."""
    result = {}
    for row in ET.parse(CODE_LIST).iter("Row"):
        values = {v.get("ColumnRef"): v.findtext("SimpleValue") for v in row.findall("Value")}
        code = values.get("code")
        if code:
            english = values.get("eng_label") or values.get("Name") or code
            result[code] = {"en": english, "nl": values.get("nld_label") or english}
    return result


def dutch_label(code: str) -> str:
    return criteria()[code]["nl"]
