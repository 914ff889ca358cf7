"""Completeness and pre-marks as tables of cases (seed 003 §4.7; DOMAIN.md evidence ages)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.eligibility import (
    AnswerFacts,
    DocumentFacts,
    Gap,
    Mark,
    Missing,
    SectionStatus,
    completeness,
    gaps_of,
    next_section,
    pre_mark,
    sections,
)

ON = date(2027, 3, 15)


def exclusion(answer: bool | None, explanation: str = "", self_cleaning: str = "") -> AnswerFacts:
    return AnswerFacts("U1", True, False, False, None, answer, explanation, self_cleaning)


def suitability(
    answer: bool | None, *docs: DocumentFacts, required: bool = True, max_age: int | None = None
) -> AnswerFacts:
    return AnswerFacts("G1", False, True, required, max_age, answer, documents=docs)


@pytest.mark.parametrize(
    ("facts", "gaps", "mark"),
    [
        # Exclusion grounds pass on "no".
        (exclusion(False), [], Mark.PASS),
        (exclusion(None), [Gap.UNANSWERED], Mark.FAIL),
        (exclusion(True), [Gap.EXPLANATION_MISSING], Mark.FAIL),
        (exclusion(True, "   "), [Gap.EXPLANATION_MISSING], Mark.FAIL),
        # A "yes" explained but without self-cleaning measures fails; with them a reviewer judges.
        (exclusion(True, "Boete in 2024"), [], Mark.FAIL),
        (
            exclusion(True, "Boete in 2024", "Nieuwe directie en compliance-officer"),
            [],
            Mark.JUDGEMENT,
        ),
        # Suitability criteria pass on "yes" with valid evidence.
        (suitability(True, DocumentFacts(date(2027, 1, 1))), [], Mark.PASS),
        (suitability(True), [Gap.EVIDENCE_MISSING], Mark.FAIL),
        (suitability(True, required=False), [], Mark.PASS),
        (suitability(False), [], Mark.FAIL),
        (suitability(None), [Gap.UNANSWERED], Mark.FAIL),
        # A KvK extract at most 6 months old: 15-09-2026 is exactly 6 months before 15-03-2027.
        (suitability(True, DocumentFacts(date(2026, 9, 15)), max_age=6), [], Mark.PASS),
        (
            suitability(True, DocumentFacts(date(2026, 9, 14)), max_age=6),
            [Gap.EVIDENCE_TOO_OLD],
            Mark.FAIL,
        ),
        # A Gedragsverklaring Aanbesteden at most 24 months old.
        (suitability(True, DocumentFacts(date(2025, 3, 15)), max_age=24), [], Mark.PASS),
        (
            suitability(True, DocumentFacts(date(2025, 3, 14)), max_age=24),
            [Gap.EVIDENCE_TOO_OLD],
            Mark.FAIL,
        ),
        # An insurance policy counts up to and including its end date.
        (suitability(True, DocumentFacts(date(2026, 1, 1), date(2027, 3, 15))), [], Mark.PASS),
        (
            suitability(True, DocumentFacts(date(2026, 1, 1), date(2027, 3, 14))),
            [Gap.EVIDENCE_EXPIRED],
            Mark.FAIL,
        ),
        # One valid document among old ones is enough.
        (
            suitability(
                True, DocumentFacts(date(2020, 1, 1)), DocumentFacts(date(2027, 1, 1)), max_age=6
            ),
            [],
            Mark.PASS,
        ),
    ],
)
def test_gaps_and_marks(facts: AnswerFacts, gaps: list[Gap], mark: Mark) -> None:
    assert gaps_of(facts, ON) == gaps
    assert pre_mark(facts, ON) is mark


def test_completeness_lists_everything_in_form_order() -> None:
    answers = [exclusion(None), suitability(True)]
    assert completeness(0, answers, ON) == [
        Missing("lots", Gap.NO_LOTS),
        Missing("U1", Gap.UNANSWERED),
        Missing("G1", Gap.EVIDENCE_MISSING),
    ]
    assert completeness(1, [exclusion(False)], ON) == []


@pytest.mark.parametrize(
    ("issued", "expires", "max_age", "valid_until"),
    [
        (date(2026, 6, 20), None, 6, date(2026, 12, 20)),
        (date(2026, 6, 20), None, None, None),
        (date(2026, 1, 1), date(2027, 1, 10), None, date(2027, 1, 10)),
        (date(2026, 1, 1), date(2027, 1, 10), 6, date(2026, 7, 1)),  # whichever comes first
        (date(2025, 8, 31), None, 6, date(2026, 2, 28)),  # month ends stay month ends
    ],
)
def test_valid_until(
    issued: date, expires: date | None, max_age: int | None, valid_until: date | None
) -> None:
    from portal.domain.evidence import valid_until as rule

    assert rule(issued, expires, max_age) == valid_until


@pytest.mark.parametrize(
    ("last_day", "today", "soon"),
    [
        (date(2027, 1, 10), date(2026, 11, 22), True),  # 49 days
        (date(2027, 1, 21), date(2026, 11, 22), True),  # exactly 60 days
        (date(2027, 1, 22), date(2026, 11, 22), False),
        (date(2026, 11, 21), date(2026, 11, 22), False),  # already expired: not "soon"
        (None, date(2026, 11, 22), False),
    ],
)
def test_expires_soon(last_day: date | None, today: date, soon: bool) -> None:
    from portal.domain.evidence import expires_soon

    assert expires_soon(last_day, today, 60) is soon


KINDS = {"U1": "exclusion", "U2": "exclusion", "G1": "suitability"}
DONE, BUSY, NEW = SectionStatus.COMPLETE, SectionStatus.IN_PROGRESS, SectionStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("missing", "started", "statuses", "after_lots"),
    [
        ([], set(), (DONE, DONE, DONE), None),
        (["lots"], set(), (NEW, DONE, DONE), None),
        (["lots"], {"lots"}, (BUSY, DONE, DONE), None),
        (["U1", "U2"], {"lots"}, (DONE, NEW, DONE), "exclusion"),
        (["U1", "G1"], {"exclusion"}, (DONE, BUSY, NEW), "exclusion"),
        (["lots", "U1", "G1"], {"suitability"}, (NEW, NEW, BUSY), "exclusion"),
        (["G1"], {"lots", "exclusion", "suitability"}, (DONE, DONE, BUSY), "suitability"),
    ],
)
def test_the_drafts_sections_and_the_next_one(
    missing: list[str],
    started: set[str],
    statuses: tuple[SectionStatus, ...],
    after_lots: str | None,
) -> None:
    found = sections([Missing(code, Gap.UNANSWERED) for code in missing], KINDS, started)
    assert tuple(s.status for s in found) == statuses
    assert [s.key for s in found if s.complete] == [
        s.key for s, status in zip(found, statuses, strict=True) if status is DONE
    ]
    assert next_section(found, "lots") == after_lots
    assert next_section(found, "suitability") is None
