"""The life of a DAS: its states, what must be there before it is published, and its basic dates.

Sources:

- Issue 19: concept -> gepubliceerd -> gesloten voor nieuwe aanmeldingen -> beëindigd; publishing
  is refused while a required part is missing, with a checklist of what is missing; closing
  stops new applications while running agreements go on to their end date.
- Seed 003 §4.1: a term (1-1-2026 to 31-12-2029) with options that extend it (twice three years).
- Aanbestedingswet 2012 art. 2.94 / dir. 2014/24 art. 34(6): a request to participate in a DAS is
  assessed within 10 working days, extendable to 15 (portal.domain.working_days).
- CPV (Regulation (EC) 2195/2002): a code is eight digits, a hyphen and a check digit.

Pure: no Flask, no database; `today` is always a parameter.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from portal.domain.working_days import MAX_REVIEW_WORKING_DAYS


class State(enum.StrEnum):
    """The same values as portal.models.DasState (stored as plain strings)."""

    DRAFT = "draft"  # concept
    OPEN = "open"  # gepubliceerd
    CLOSED = "closed"  # gesloten voor nieuwe aanmeldingen
    ENDED = "ended"  # beëindigd


#: Which state may follow which (issue 19). Linear: a closed DAS is not reopened (a region that
#: wants new providers again announces a new DAS), and a DAS is closed before it is ended.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.OPEN}),
    State.OPEN: frozenset({State.CLOSED}),
    State.CLOSED: frozenset({State.ENDED}),
    State.ENDED: frozenset(),
}


def may_move(current: str, target: str) -> bool:
    return State(target) in TRANSITIONS[State(current)]


def may_end(today: date, common_end_date: date, agreements_running: int) -> bool:
    """A closed DAS may be ended once no agreement of it runs any more, or once its common end
    date has passed (every agreement ends on that date, seed 003 §4.1). Ending earlier would
    leave running agreements without their DAS."""
    return agreements_running == 0 or today > common_end_date


# --- the publish checklist -------------------------------------------------------------------


class Part(enum.StrEnum):
    """A part of a DAS that must be there before it is published; each has a page that fixes it."""

    BASICS = "basics"  # name, summary, scope, CPV and a valid term
    AUTHORITIES = "authorities"  # at least one municipality
    LEAD_AUTHORITY = "lead_authority"  # one of them leads
    LOTS = "lots"  # at least one lot with a product
    EXCLUSION_GROUNDS = "exclusion_grounds"
    SUITABILITY_CRITERIA = "suitability_criteria"
    EVIDENCE_TYPES = "evidence_types"  # a criterion asks for evidence but names no type
    CONTACT_POINT = "contact_point"
    SROI = "sroi"
    INDEXATION = "indexation"
    CLIENT_ALLOCATION = "client_allocation"
    PRIVACY = "privacy"
    REVIEWER = "reviewer"  # at least one reviewer assigned
    BASE_TARIFFS = "base_tariffs"  # for the term's first year or the current year
    INITIAL_ROUND = "initial_round"  # a planned round that does not fit the publication date


@dataclass(frozen=True)
class Facts:
    """What the checklist looks at, as plain values (the service reads them from the database)."""

    basics_complete: bool
    term_problems: tuple[str, ...]
    municipalities: int
    has_lead_authority: bool
    lots_with_products: int
    exclusion_grounds: int
    suitability_criteria: int
    criteria_without_evidence_type: tuple[str, ...]  # codes of criteria requiring evidence
    has_contact_point: bool
    sroi_threshold_cents: int
    sroi_percent: float
    ova_weight: float
    ppc_weight: float
    first_index_year: int | None
    allocation_texts: tuple[str, str, str]  # who chooses, how asked, no capacity
    privacy_role: str | None
    reviewers: int
    tariff_years: frozenset[int]
    term_start: date
    initial_round_problems: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Missing:
    part: Part
    details: tuple[str, ...] = ()  # criterion codes, problem codes


def publish_checklist(facts: Facts, today: date) -> list[Missing]:
    """Every required part that is missing, in the order of the settings page; [] when the DAS
    may be published (issue 19, "Publishing is refused while a required part is missing")."""
    missing: list[Missing] = []
    if not facts.basics_complete or facts.term_problems:
        missing.append(Missing(Part.BASICS, facts.term_problems))
    if facts.municipalities == 0:
        missing.append(Missing(Part.AUTHORITIES))
    if not facts.has_lead_authority:
        missing.append(Missing(Part.LEAD_AUTHORITY))
    if facts.lots_with_products == 0:
        missing.append(Missing(Part.LOTS))
    if facts.exclusion_grounds == 0:
        missing.append(Missing(Part.EXCLUSION_GROUNDS))
    if facts.suitability_criteria == 0:
        missing.append(Missing(Part.SUITABILITY_CRITERIA))
    if facts.criteria_without_evidence_type:
        missing.append(Missing(Part.EVIDENCE_TYPES, facts.criteria_without_evidence_type))
    if not facts.has_contact_point:
        missing.append(Missing(Part.CONTACT_POINT))
    if facts.sroi_threshold_cents <= 0 or not 0 < facts.sroi_percent <= 100:
        missing.append(Missing(Part.SROI))
    weights_sum = round(facts.ova_weight + facts.ppc_weight, 4)
    if facts.first_index_year is None or weights_sum != 1:
        missing.append(Missing(Part.INDEXATION))
    if not all(text.strip() for text in facts.allocation_texts):
        missing.append(Missing(Part.CLIENT_ALLOCATION))
    if not facts.privacy_role:
        missing.append(Missing(Part.PRIVACY))
    if facts.reviewers == 0:
        missing.append(Missing(Part.REVIEWER))
    # Tariffs a provider can read before applying: a sheet for the term's first year or the
    # current year, or an earlier one that still applies (its year's sheet is not out yet).
    if not any(year <= max(facts.term_start.year, today.year) for year in facts.tariff_years):
        missing.append(Missing(Part.BASE_TARIFFS))
    if facts.initial_round_problems:
        missing.append(Missing(Part.INITIAL_ROUND, facts.initial_round_problems))
    return missing


# --- basic settings --------------------------------------------------------------------------

SLUG_MAX = 80
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CPV = re.compile(r"\d{8}-\d")
MAX_OPTIONS = 5
MAX_OPTION_YEARS = 10

# Problem codes (rendered in Dutch by portal.pages.messages).
SLUG_FORM = "slug_form"
CPV_FORM = "cpv_form"
TERM_INVERTED = "term_inverted"
OPTIONS_OUT_OF_RANGE = "options_out_of_range"
OPTION_ENDS_BEFORE_TERM = "option_ends_before_term"
REVIEW_DAYS_OUT_OF_RANGE = "review_days_out_of_range"


def slug_problem(slug: str) -> str | None:
    """A short name for addresses: lowercase letters, digits and single hyphens between them."""
    return None if len(slug) <= SLUG_MAX and SLUG.fullmatch(slug) else SLUG_FORM


def cpv_problem(code: str) -> str | None:
    """The CPV format `dddddddd-d`. The check digit's algorithm is not published with the
    regulation and no library we keep knows it, so only the form is checked."""
    return None if CPV.fullmatch(code) else CPV_FORM


def term_problems(
    term_start: date, initial_end_date: date, options_total: int, option_years: int
) -> list[str]:
    """The term starts before its initial end; options (count x years) extend it after the
    initial end (seed 003 §4.1: "twee maal drie jaar"): an option of no years would end on or
    before the end it extends."""
    found = []
    if initial_end_date <= term_start:
        found.append(TERM_INVERTED)
    if not 0 <= options_total <= MAX_OPTIONS or not 0 <= option_years <= MAX_OPTION_YEARS:
        found.append(OPTIONS_OUT_OF_RANGE)
    elif options_total > 0 and option_years < 1:
        found.append(OPTION_ENDS_BEFORE_TERM)
    return found


def review_days_problem(working_days: int) -> str | None:
    """1 to 15 working days (the statutory limit of an extended review)."""
    return None if 1 <= working_days <= MAX_REVIEW_WORKING_DAYS else REVIEW_DAYS_OUT_OF_RANGE


#: Settings that running agreements depend on (seed 003 §4.1: everyone's agreement ends on the
#: common end date): once an agreement exists they change only through an exercised option
#: (contracts.options) or a variation, never by editing the DAS.
TERM_SETTINGS = frozenset(
    {"term_start", "initial_end_date", "extension_options_total", "extension_option_years"}
)


def changes(old: Mapping[str, object], new: Mapping[str, object]) -> dict[str, list[str | None]]:
    """{setting: [old, new]} for every setting whose value differs, as text (a change notice)."""
    return {
        name: [_text(old.get(name)), _text(value)]
        for name, value in new.items()
        if old.get(name) != value
    }


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"  # data, not a sentence: the page words it
    return str(value)
