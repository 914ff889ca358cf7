"""No rubber stamp: which criteria a reviewer must still assess explicitly, and which verdict the
control may start with.

Source: issue 18 ("Four eyes that really see", "No rubber stamp"): all criteria arrived pre-set
to "Voldoet" and a proposal to admit went through with no document opened and no reason typed,
including a criterion that had just been questioned. So:

- only a criterion whose rule-based pre-assessment (portal.domain.eligibility.pre_mark) passes
  may start as "Voldoet"; one whose rule fails may start as "Voldoet niet" (the reason the
  reviewer then types is still required by the service);
- a criterion that needs judgement, has new evidence since it was last assessed (a clarification
  about it answered, or documents attached to its answer) or an open clarification starts with
  nothing chosen and must be assessed explicitly;
- a saved verdict stops counting as soon as new evidence about its criterion arrives or a
  clarification about it is open: it has to be given again.

A proposal is refused while any criterion still needs an assessment (portal.services.review).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from portal.domain.eligibility import Mark


class Attention(enum.StrEnum):
    """Why a criterion still needs the reviewer's explicit verdict."""

    JUDGEMENT = "judgement"  # the rule cannot decide (a "yes" with self-cleaning measures)
    NEW_EVIDENCE = "new_evidence"  # answered clarification or documents after the last verdict
    OPEN_CLARIFICATION = "open_clarification"  # a question about it waits for the provider
    NOT_ASSESSED = "not_assessed"  # nothing saved yet (the control may be pre-set)


@dataclass(frozen=True)
class SavedVerdict:
    """A reviewer's saved verdict (pass or fail) and when it was given."""

    mark: Mark
    assessed_at: datetime


@dataclass(frozen=True)
class CriterionFacts:
    """What is known of one criterion of one application, as plain values.

    `evidence_since` is the latest moment new evidence about the criterion arrived after the
    application was received (a clarification about it answered, a document attached to its
    answer), or None when nothing came in since."""

    code: str
    pre_mark: Mark
    open_clarification: bool = False
    evidence_since: datetime | None = None
    saved: SavedVerdict | None = None


@dataclass(frozen=True)
class Standing:
    """Where one criterion stands: the verdict its control starts with (None: nothing chosen),
    whether a saved verdict still counts, and why it still needs an explicit assessment."""

    code: str
    start_with: Mark | None
    needs: Attention | None

    @property
    def settled(self) -> bool:
        return self.needs is None


def standing(facts: CriterionFacts) -> Standing:
    """The rule above for one criterion. Times are compared as given: pass them in one zone."""
    if facts.open_clarification:
        return Standing(facts.code, None, Attention.OPEN_CLARIFICATION)
    saved = facts.saved
    if facts.evidence_since is not None and (
        saved is None or facts.evidence_since > saved.assessed_at
    ):
        return Standing(facts.code, None, Attention.NEW_EVIDENCE)
    if saved is not None:
        return Standing(facts.code, saved.mark, None)
    if facts.pre_mark is Mark.JUDGEMENT:
        return Standing(facts.code, None, Attention.JUDGEMENT)
    return Standing(facts.code, facts.pre_mark, Attention.NOT_ASSESSED)


def unsettled(all_facts: Sequence[CriterionFacts]) -> list[Standing]:
    """The criteria that still need an explicit assessment, in the order given."""
    return [s for s in (standing(f) for f in all_facts) if not s.settled]
