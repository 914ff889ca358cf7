"""A DAS's terms: what a region may set, and what it may change once agreements run (issue 19).

Sources: seed 003 §4.4 (SROI: "vanaf een omzetwaarde boven de € 250.000 (excl. BTW) per jaar",
measured on "de gerealiseerde omzet uit het voorafgaande jaar"; the region may revise it), §4.5
(the announcement states "wijze toewijzing cliënten"), §4.6 and seed 000 (indexation: a weighted
OVA and PPC index, weights summing to 100%), §5.2 (privacy: the provider is processor, independent
controller or shares responsibility; a processor needs a processing agreement).

Decisions where the seeds are silent:
- a revised SROI rule of a published DAS applies from 1 January of the next year: the obligation
  of a year under way never changes under a provider (`sroi_rule_for`);
- while agreements run, the indexation weights, the first contract year and the privacy role are
  fixed (the agreements were signed on them: a change would be a new procedure, not a variation);
  the SROI rule and the region's texts may change, and each running agreement gets a variation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class SroiRule:
    """Social return: above `threshold_cents` turnover (excl. VAT) a provider spends `percent` of
    it on social return; `reference_year` None: the turnover of the year before the reported one."""

    threshold_cents: int
    percent: Decimal
    reference_year: int | None = None

    def measured_year(self, year: int) -> int:
        """The year whose turnover counts for the obligation of `year` (seed 003 §4.4)."""
        return self.reference_year if self.reference_year is not None else year - 1


def sroi_rule_for(
    year: int, published: SroiRule, revisions: Iterable[tuple[int, SroiRule]]
) -> SroiRule:
    """The rule for `year`: the revision with the latest start year up to `year`, else the rule
    as published. `revisions` are (from_year, rule) pairs."""
    applicable = [(from_year, rule) for from_year, rule in revisions if from_year <= year]
    if not applicable:
        return published
    return max(applicable, key=lambda pair: pair[0])[1]


def revision_year(today: date) -> int:
    """A revision decided today applies from this year on (seed 003 §4.4 read with §4.6: the rule
    of a year is known when the year begins)."""
    return today.year + 1


@dataclass(frozen=True)
class Terms:
    """What the terms page sets. Percentages as typed (90 for 90%)."""

    ova_percent: Decimal
    ppc_percent: Decimal
    first_index_year: int | None
    sroi: SroiRule
    allocation_who_chooses: str
    allocation_request: str
    allocation_no_capacity: str
    privacy_role: str
    privacy_text: str


def last_possible_year(initial_end: date, option_years: int, options_total: int) -> int:
    """The last calendar year the DAS can run: its initial end with every option exercised."""
    return initial_end.year + option_years * options_total


def first_index_year_from(term_start: date, tariff_base_year: int | None) -> int:
    """The earliest first contract year: the term's first year, or the year of the base tariffs
    when they were set before the term. Seed 003 §4.6: the real tariffs are set in 2024 and "Het
    eerste indexeringsmoment is 1 januari 2025", a year before the term starts (2026); DOMAIN.md's
    worked 2025 index (4.957%) carries the after-calculation of 2024, so 2024 is the first
    contract year. A year before the base tariffs indexes nothing."""
    if tariff_base_year is None:
        return term_start.year
    return min(term_start.year, tariff_base_year)


def terms_problems(
    terms: Terms, term_start: date, last_year: int, tariff_base_year: int | None = None
) -> dict[str, str]:
    """What is wrong with the terms, per field: a message code (portal.pages.messages)."""
    problems: dict[str, str] = {}
    for name, value in (("ova_percent", terms.ova_percent), ("ppc_percent", terms.ppc_percent)):
        if not Decimal(0) <= value <= HUNDRED:
            problems[name] = "weight_percent_out_of_range"
    if not problems and terms.ova_percent + terms.ppc_percent != HUNDRED:
        problems["ppc_percent"] = "weights_not_hundred"
    if terms.first_index_year is not None and not (
        first_index_year_from(term_start, tariff_base_year) <= terms.first_index_year <= last_year
    ):
        problems["first_index_year"] = "year_outside_term"
    if not Decimal(0) <= terms.sroi.percent <= HUNDRED:
        problems["sroi_percent"] = "percent_out_of_range"
    if terms.sroi.threshold_cents < 0:
        problems["sroi_threshold"] = "amount_negative"
    year = terms.sroi.reference_year
    if year is not None and not term_start.year <= year <= last_year:
        problems["sroi_reference_year"] = "year_outside_term"
    for name in ("allocation_who_chooses", "allocation_request", "allocation_no_capacity"):
        if not getattr(terms, name).strip():
            problems[name] = "allocation_text_missing"
    if not terms.privacy_role:
        problems["privacy_role"] = "privacy_role_missing"
    return problems


def requires_processing_agreement(privacy_role: str | None) -> bool:
    """A processor works on the municipalities' instruction: a processing agreement (art. 28 AVG,
    seed 003 §5.2). Joint controllers record an arrangement instead (art. 26 AVG), in the text."""
    return privacy_role == "processor"
