"""No rubber stamp, as a table of cases (issue 18): which verdict a criterion's control starts
with and whether it still needs an explicit assessment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.domain.assessment import (
    Attention,
    CriterionFacts,
    SavedVerdict,
    Standing,
    standing,
    unsettled,
)
from portal.domain.eligibility import Mark

ASSESSED = datetime(2027, 1, 5, 10, tzinfo=UTC)
BEFORE = datetime(2027, 1, 4, 10, tzinfo=UTC)
AFTER = datetime(2027, 1, 6, 10, tzinfo=UTC)
PASSED = SavedVerdict(Mark.PASS, ASSESSED)
FAILED = SavedVerdict(Mark.FAIL, ASSESSED)


@pytest.mark.parametrize(
    ("facts", "start_with", "needs"),
    [
        # Nothing saved: only a passing rule starts as "Voldoet", a failing one as "Voldoet
        # niet"; both still have to be saved.
        (CriterionFacts("U1", Mark.PASS), Mark.PASS, Attention.NOT_ASSESSED),
        (CriterionFacts("U1", Mark.FAIL), Mark.FAIL, Attention.NOT_ASSESSED),
        # A judgement starts with nothing chosen.
        (CriterionFacts("U2", Mark.JUDGEMENT), None, Attention.JUDGEMENT),
        # A saved verdict counts, and the control shows it, whatever the rule said.
        (CriterionFacts("U2", Mark.JUDGEMENT, saved=PASSED), Mark.PASS, None),
        (CriterionFacts("G1", Mark.PASS, saved=FAILED), Mark.FAIL, None),
        # New evidence: a passing rule no longer pre-sets anything.
        (CriterionFacts("G4", Mark.PASS, evidence_since=AFTER), None, Attention.NEW_EVIDENCE),
        (CriterionFacts("G4", Mark.FAIL, evidence_since=AFTER), None, Attention.NEW_EVIDENCE),
        # ... and a saved "Voldoet" given before it stops counting.
        (
            CriterionFacts("G4", Mark.PASS, evidence_since=AFTER, saved=PASSED),
            None,
            Attention.NEW_EVIDENCE,
        ),
        # Evidence that came before the saved verdict was seen by it.
        (CriterionFacts("G4", Mark.PASS, evidence_since=BEFORE, saved=PASSED), Mark.PASS, None),
        (CriterionFacts("G4", Mark.PASS, evidence_since=ASSESSED, saved=PASSED), Mark.PASS, None),
        # An open clarification: nothing counts until it is answered and assessed again.
        (
            CriterionFacts("G4", Mark.PASS, open_clarification=True),
            None,
            Attention.OPEN_CLARIFICATION,
        ),
        (
            CriterionFacts("G4", Mark.PASS, open_clarification=True, saved=PASSED),
            None,
            Attention.OPEN_CLARIFICATION,
        ),
        (
            CriterionFacts("G4", Mark.PASS, True, evidence_since=AFTER, saved=PASSED),
            None,
            Attention.OPEN_CLARIFICATION,
        ),
    ],
)
def test_standing(facts: CriterionFacts, start_with: Mark | None, needs: Attention | None) -> None:
    found = standing(facts)
    assert found == Standing(facts.code, start_with, needs)
    assert found.settled is (needs is None)


def test_unsettled_keeps_the_order_and_leaves_out_what_counts() -> None:
    facts = [
        CriterionFacts("U1", Mark.PASS, saved=PASSED),
        CriterionFacts("U2", Mark.JUDGEMENT),
        CriterionFacts("G1", Mark.PASS, saved=PASSED),
        CriterionFacts("G4", Mark.PASS, evidence_since=AFTER, saved=PASSED),
    ]
    assert [(s.code, s.needs) for s in unsettled(facts)] == [
        ("U2", Attention.JUDGEMENT),
        ("G4", Attention.NEW_EVIDENCE),
    ]
    assert unsettled(facts[:1] + facts[2:3]) == []
