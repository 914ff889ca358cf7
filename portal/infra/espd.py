"""The EU ESPD criterion code list (portal/data/espd/Criterion.gc, the Publications Office's
`criterion` list 20240612-0, identical to ../shared/reference/espd/Criterion.gc), read once.

The list itself holds codes and labels only. Whether a code is an exclusion ground or a selection
(suitability) criterion, and its group, come from the ESPD-EDM criterion taxonomy: the example
request of ESPD-EDM names each criterion's legislation `C<n>_EG_<code>` (exclusion ground) or
`C<n>_SC_<code>` (selection criterion), and the taxonomy groups them as below. A code of the list
that is neither (data about the economic operator, the reduction of candidates) cannot be chosen
as a criterion. Two codes are older spellings of a later one and are not offered any more."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import defusedxml.ElementTree as ET  # the shipped code list, parsed without entity expansion

CODE_LIST = Path(__file__).parent.parent / "data" / "espd" / "Criterion.gc"


class EspdType(enum.StrEnum):
    EXCLUSION = "exclusion"  # uitsluitingsgrond
    SELECTION = "selection"  # geschiktheidseis (selection criterion)
    OTHER = "other"  # not a criterion a DAS sets: data about the operator


class EspdGroup(enum.StrEnum):
    """The taxonomy's groups (CRITERION.EXCLUSION.CONVICTIONS, ...), in the taxonomy's order."""

    CONVICTIONS = "convictions"
    CONTRIBUTIONS = "contributions"
    SOCIAL = "social"  # environmental, social and labour law
    BUSINESS = "business"  # bankruptcy, insolvency and the like
    MISCONDUCT = "misconduct"
    CONFLICT_OF_INTEREST = "conflict_of_interest"  # and misrepresentation, earlier sanctions
    NATIONAL = "national"
    SUITABILITY = "suitability"  # registers, authorisation, membership
    ECONOMIC_FINANCIAL = "economic_financial"
    TECHNICAL_PROFESSIONAL = "technical_professional"
    QUALITY_ASSURANCE = "quality_assurance"  # certificates by independent bodies
    OTHER = "other"


_GROUPS: dict[EspdGroup, tuple[str, ...]] = {
    EspdGroup.CONVICTIONS: (
        "crime-org",
        "corruption",
        "fraud",
        "terr-offence",
        "finan-laund",
        "human-traffic",
    ),
    EspdGroup.CONTRIBUTIONS: ("tax-pay", "socsec-pay"),
    EspdGroup.SOCIAL: ("envir-law", "socsec-law", "labour-law"),
    EspdGroup.BUSINESS: (
        "bankruptcy",
        "insolvency",
        "cred-arran",
        "bankr-nat",
        "liq-admin",
        "susp-act",
    ),
    EspdGroup.MISCONDUCT: ("prof-misconduct", "distorsion"),
    EspdGroup.CONFLICT_OF_INTEREST: (
        "partic-confl",
        "prep-confl",
        "sanction",
        "misrepresent",
        "misinterpr",
    ),
    EspdGroup.NATIONAL: ("nati-ground",),
    EspdGroup.SUITABILITY: (
        "prof-regist",
        "trade-regist",
        "authorisation",
        "autorisation",
        "membership",
    ),
    EspdGroup.ECONOMIC_FINANCIAL: (
        "gen-year-to",
        "aver-year-to",
        "spec-aver-to",
        "spec-year-to",
        "finan-rat",
        "indem-insu",
        "finan-requ",
    ),
    EspdGroup.TECHNICAL_PROFESSIONAL: (
        "work-perform",
        "supply-perform",
        "service-perform",
        "qual-cont-tech",
        "work-tech",
        "qual-facil",
        "research-fac",
        "chain-manage",
        "qualification",
        "envir-measure",
        "tech-equip",
        "spec-req-check",
        "manage-staff",
        "year-manpower",
        "suncont-port",
        "wo-autent",
        "w-autent",
        "qa-certif-inst",
    ),
    EspdGroup.QUALITY_ASSURANCE: ("qu-certif-indep", "envir-certif-indep"),
}
_EXCLUSION_GROUPS = frozenset(
    {
        EspdGroup.CONVICTIONS,
        EspdGroup.CONTRIBUTIONS,
        EspdGroup.SOCIAL,
        EspdGroup.BUSINESS,
        EspdGroup.MISCONDUCT,
        EspdGroup.CONFLICT_OF_INTEREST,
        EspdGroup.NATIONAL,
    }
)
# Older spellings kept in the list beside the code that replaced them (no Dutch label; the
# ESPD-EDM example uses the newer one).
SUPERSEDED = {"misinterpr": "misrepresent", "autorisation": "authorisation"}
_GROUP_OF = {code: group for group, codes in _GROUPS.items() for code in codes}


@dataclass(frozen=True)
class EspdCriterion:
    code: str
    type: EspdType
    group: EspdGroup
    en: str  # the English label
    nl: str  # the Dutch label (English where the list has none)

    @property
    def offered(self) -> bool:
        """Whether a DAS may choose it: a ground or criterion, not an older spelling."""
        return self.type is not EspdType.OTHER and self.code not in SUPERSEDED


@cache
def entries() -> dict[str, EspdCriterion]:
    """Every code of the list, in the list's order, with its type, group and labels."""
    result = {}
    for row in ET.parse(CODE_LIST).iter("Row"):
        values = {v.get("ColumnRef"): v.findtext("SimpleValue") for v in row.findall("Value")}
        code = values.get("code")
        if code:
            english = values.get("eng_label") or values.get("Name") or code
            group = _GROUP_OF.get(code, EspdGroup.OTHER)
            if group is EspdGroup.OTHER:
                kind = EspdType.OTHER
            elif group in _EXCLUSION_GROUPS:
                kind = EspdType.EXCLUSION
            else:
                kind = EspdType.SELECTION
            result[code] = EspdCriterion(
                code, kind, group, english, values.get("nld_label") or english
            )
    return result


def criteria() -> dict[str, dict[str, str]]:
    """code -> {"en": English label, "nl": Dutch label (English where the list has none)}."""
    return {code: {"en": e.en, "nl": e.nl} for code, e in entries().items()}


def dutch_label(code: str) -> str:
    return entries()[code].nl


def label(code: str, language: str) -> str:
    """The label in the reader's language ("nl" or "en"); the code itself when unknown."""
    entry = entries().get(code)
    if entry is None:
        return code
    return entry.en if language == "en" else entry.nl


def offered(kind: EspdType) -> list[EspdCriterion]:
    """The codes a DAS may choose for one kind, grouped in the taxonomy's order."""
    order = list(EspdGroup)
    chosen = [e for e in entries().values() if e.type is kind and e.offered]
    return sorted(chosen, key=lambda e: order.index(e.group))  # stable: the list's order inside
