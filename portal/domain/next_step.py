"""What a provider should do next, and how a decided application reads: plain rules for the
dashboard (issue 17: "the dashboard always says what to do next"; the GOV.UK pattern of one
clear next action). No Flask, no database: the facts come in as plain values.

The order of the steps: what others wait for first (a reviewer's question with a reply date, an
agreement the municipalities cannot countersign before the provider does), then the
organisation's details (every application and agreement uses them), then the draft, then a new
application for an open DAS."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

# The organisation details an application and an agreement need besides those given at
# registration (name, KvK number, size): where the organisation is, and who signs for it.
REQUIRED_PROFILE_FIELDS = (
    "legal_name",
    "kvk_number",
    "street_address",
    "postcode",
    "city",
    "signatory_name",
    "signatory_role",
)


def profile_gaps(values: Mapping[str, object]) -> tuple[str, ...]:
    """The required organisation fields that are empty, in the order of the form."""
    return tuple(
        name for name in REQUIRED_PROFILE_FIELDS if not str(values.get(name) or "").strip()
    )


class StepKind(enum.StrEnum):
    ANSWER_CLARIFICATION = "answer_clarification"
    SIGN_AGREEMENT = "sign_agreement"
    COMPLETE_PROFILE = "complete_profile"
    CONTINUE_DRAFT = "continue_draft"
    START_APPLICATION = "start_application"
    NOTHING = "nothing"


@dataclass(frozen=True)
class OpenClarification:
    application_id: int
    clarification_id: int
    das_name: str
    reply_due_on: date


@dataclass(frozen=True)
class AgreementToSign:
    agreement_id: int
    reference: str
    das_name: str


@dataclass(frozen=True)
class Draft:
    application_id: int
    das_name: str
    sections_complete: int
    sections_total: int


@dataclass(frozen=True)
class OpenDas:
    slug: str
    name: str


@dataclass(frozen=True)
class ProviderFacts:
    profile_gaps: tuple[str, ...] = ()
    clarifications: tuple[OpenClarification, ...] = ()
    agreements_to_sign: tuple[AgreementToSign, ...] = ()
    drafts: tuple[Draft, ...] = ()
    # Open DAS instances the organisation may start an application for now: no application of
    # its own open there, and not admitted for every lot yet.
    das_to_apply: tuple[OpenDas, ...] = ()


@dataclass(frozen=True)
class NextStep:
    kind: StepKind
    clarification: OpenClarification | None = None
    agreement: AgreementToSign | None = None
    draft: Draft | None = None
    das_to_apply: tuple[OpenDas, ...] = ()
    profile_gaps: tuple[str, ...] = ()


def next_step(facts: ProviderFacts) -> NextStep:
    """The one thing to do next (the earliest reply date first, then the oldest agreement)."""
    if facts.clarifications:
        first = min(facts.clarifications, key=lambda c: (c.reply_due_on, c.clarification_id))
        return NextStep(StepKind.ANSWER_CLARIFICATION, clarification=first)
    if facts.agreements_to_sign:
        oldest = min(facts.agreements_to_sign, key=lambda a: a.agreement_id)
        return NextStep(StepKind.SIGN_AGREEMENT, agreement=oldest)
    if facts.profile_gaps:
        return NextStep(StepKind.COMPLETE_PROFILE, profile_gaps=facts.profile_gaps)
    if facts.drafts:
        latest = max(facts.drafts, key=lambda d: d.application_id)
        return NextStep(StepKind.CONTINUE_DRAFT, draft=latest)
    if facts.das_to_apply:
        return NextStep(StepKind.START_APPLICATION, das_to_apply=facts.das_to_apply)
    return NextStep(StepKind.NOTHING)


# --- how a decided application reads ------------------------------------------------------


class Verdict(enum.StrEnum):
    ADMITTED = "admitted"  # every lot admitted
    REJECTED = "rejected"  # every lot rejected
    MIXED = "mixed"  # admitted for some lots, rejected for others
    PENDING = "pending"  # not every lot decided yet


@dataclass(frozen=True)
class DecisionSummary:
    verdict: Verdict
    admitted: tuple[str, ...] = ()  # lot codes, in the order given
    rejected: tuple[str, ...] = ()


def decision_summary(outcomes: Iterable[tuple[str, str]]) -> DecisionSummary:
    """The decision per lot as one verdict: (lot code, outcome) pairs, the outcome being
    "admitted", "rejected" or "pending" (LotOutcome's values). A DAS decides per lot (seed 003
    §4.5), so an application can be admitted for one lot and rejected for another."""
    pairs: Sequence[tuple[str, str]] = list(outcomes)
    admitted = tuple(code for code, outcome in pairs if outcome == "admitted")
    rejected = tuple(code for code, outcome in pairs if outcome == "rejected")
    if not pairs or len(admitted) + len(rejected) < len(pairs):
        return DecisionSummary(Verdict.PENDING, admitted, rejected)
    if admitted and rejected:
        return DecisionSummary(Verdict.MIXED, admitted, rejected)
    return DecisionSummary(Verdict.ADMITTED if admitted else Verdict.REJECTED, admitted, rejected)
