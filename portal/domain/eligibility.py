"""Whether an application is complete, and what each answer's rule says about it.

Rules as data with three outcomes (STYLE.md habit 7, after the Digital Marketplace's declaration
questions): a criterion states its passing answer and evidence; an answer is PASS, FAIL, or needs a
reviewer's JUDGEMENT. Source: seed 003 §4.7 (exclusion grounds and suitability criteria) and
../shared/DOMAIN.md: "A provider that answers 'yes' to a ground may describe self-cleaning
measures; a reviewer judges."
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from portal.domain.evidence import is_expired, is_too_old


class Mark(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    JUDGEMENT = "judgement"


class Gap(enum.StrEnum):
    """Why an application cannot be submitted yet."""

    NO_LOTS = "no_lots"
    UNANSWERED = "unanswered"
    EXPLANATION_MISSING = "explanation_missing"
    EVIDENCE_MISSING = "evidence_missing"
    EVIDENCE_TOO_OLD = "evidence_too_old"
    EVIDENCE_EXPIRED = "evidence_expired"


@dataclass(frozen=True)
class DocumentFacts:
    issued_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class AnswerFacts:
    """One criterion's rule and the provider's answer to it, as plain values."""

    code: str
    is_exclusion: bool
    passing_answer: bool
    evidence_required: bool
    max_age_months: int | None
    answer: bool | None
    explanation: str = ""
    self_cleaning: str = ""
    documents: Sequence[DocumentFacts] = field(default_factory=tuple)


@dataclass(frozen=True)
class Missing:
    code: str  # the criterion's code, or "lots"
    gap: Gap
    max_age_months: int | None = None  # for EVIDENCE_TOO_OLD: the limit that was exceeded


def _evidence_gaps(facts: AnswerFacts, on: date) -> list[Gap]:
    if not facts.evidence_required:
        return []
    if not facts.documents:
        return [Gap.EVIDENCE_MISSING]
    valid = [
        d
        for d in facts.documents
        if not is_too_old(d.issued_on, facts.max_age_months, on)
        and not is_expired(d.expires_on, on)
    ]
    if valid:
        return []
    if any(is_too_old(d.issued_on, facts.max_age_months, on) for d in facts.documents):
        return [Gap.EVIDENCE_TOO_OLD]
    return [Gap.EVIDENCE_EXPIRED]


def gaps_of(facts: AnswerFacts, on: date) -> list[Gap]:
    """What is still missing from one answer for the application to be submittable on `on`."""
    if facts.answer is None:
        return [Gap.UNANSWERED]
    if facts.answer != facts.passing_answer:
        # A "yes" to an exclusion ground must be explained; a "no" to a suitability criterion
        # is a complete (if failing) answer.
        if facts.is_exclusion and not facts.explanation.strip():
            return [Gap.EXPLANATION_MISSING]
        return []
    return _evidence_gaps(facts, on)


def completeness(lot_count: int, answers: Sequence[AnswerFacts], on: date) -> list[Missing]:
    """Everything that stands between a draft and its submission, in the order of the form."""
    missing = [Missing("lots", Gap.NO_LOTS)] if lot_count == 0 else []
    for facts in answers:
        missing.extend(
            Missing(facts.code, gap, facts.max_age_months if gap is Gap.EVIDENCE_TOO_OLD else None)
            for gap in gaps_of(facts, on)
        )
    return missing


def pre_mark(facts: AnswerFacts, on: date) -> Mark:
    """The rule's verdict on one answer, for a reviewer to confirm or override."""
    if facts.answer is None:
        return Mark.FAIL
    if facts.answer == facts.passing_answer:
        return Mark.FAIL if _evidence_gaps(facts, on) else Mark.PASS
    if facts.is_exclusion and facts.self_cleaning.strip():
        return Mark.JUDGEMENT
    return Mark.FAIL


# The draft's sections, as its task list shows them: the lots, then each kind of criterion
# (CriterionKind values). "Opslaan en verder" goes to the next one that is not complete.
SECTIONS = ("lots", "exclusion", "suitability")


class SectionStatus(enum.StrEnum):
    """A section's tag in the task list (the GOV.UK task-list pattern)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


@dataclass(frozen=True)
class Section:
    key: str  # one of SECTIONS
    missing: tuple[Missing, ...]
    status: SectionStatus

    @property
    def complete(self) -> bool:
        return self.status is SectionStatus.COMPLETE


def sections(
    missing: Sequence[Missing], kind_of: Mapping[str, str], started: Collection[str]
) -> tuple[Section, ...]:
    """The draft's sections with what each still misses: `missing` is what `completeness`
    found, `kind_of` maps a criterion code to its section, `started` names the sections where
    something was given. Complete when nothing is missing, else in progress or not started."""
    found = []
    for key in SECTIONS:
        items = tuple(
            m for m in missing if (m.code if m.code == "lots" else kind_of.get(m.code)) == key
        )
        if not items:
            status = SectionStatus.COMPLETE
        elif key in started:
            status = SectionStatus.IN_PROGRESS
        else:
            status = SectionStatus.NOT_STARTED
        found.append(Section(key, items, status))
    return tuple(found)


def next_section(found: Sequence[Section], current: str) -> str | None:
    """The first section after `current` that is not complete; None when checking and
    submitting comes next."""
    keys = [s.key for s in found]
    return next((s.key for s in found[keys.index(current) + 1 :] if not s.complete), None)
