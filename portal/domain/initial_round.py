"""The initial round of a DAS: a first period for applications, decided together on one date.

Sources:

- EU directive 2014/24/EU art. 34(2): in the initial period the first requests to participate
  get at least 30 days from the date the contract notice is sent; art. 34(5): during the
  initial period the assessment may run until the first specific contract, so the 10 (15)
  working days apply only after it (DOMAIN.md, "Initial round").
- Seed 003 §6.2: publication (February 2025), one definitive award (July 2025) for every
  first application, an implementation period, and agreements in force from the term start
  (1 January 2026).

A DAS without a round (no closing date) runs as usual from its publication: each application
has its own review deadline of N working days. Time is always a parameter.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

#: The first applications get at least this many days from publication (dir. 2014/24 art. 34(2)).
MIN_ROUND_DAYS = 30

# Problem codes of :func:`problems` (rendered in Dutch by portal.pages.messages).
DECISION_DATE_MISSING = "round_decision_date_missing"
CLOSING_DATE_MISSING = "round_closing_date_missing"
ROUND_TOO_SHORT = "round_too_short"
DECISION_NOT_AFTER_CLOSING = "round_decision_not_after_closing"
DECISION_AFTER_TERM_START = "round_decision_after_term_start"


def earliest_closing_date(published_on: date) -> date:
    """The first closing date allowed for a round published on `published_on`: 30 days later
    (dir. 2014/24 art. 34(2): "at least 30 days from the date on which the notice was sent")."""
    return published_on + timedelta(days=MIN_ROUND_DAYS)


def problems(
    published_on: date | None,
    closes_on: date | None,
    decision_on: date | None,
    term_start: date,
) -> list[str]:
    """What is wrong with a planned initial round, as problem codes; [] when it is valid or
    when there is no round (neither date set).

    Rules (dir. 2014/24 art. 34(2); seed 003 §6.2): a round has both a closing date and a joint
    decision date; it closes at least 30 days after publication (`published_on`: the day the
    notice goes out; None while the DAS is a concept, when the 30 days are counted from
    nothing yet and only the order of the dates is checked); the decision comes after the
    closing date, and at the latest on the term start, since the round's agreements start then.
    """
    if closes_on is None and decision_on is None:
        return []
    if closes_on is None:
        return [CLOSING_DATE_MISSING]
    if decision_on is None:
        return [DECISION_DATE_MISSING]
    found = []
    if published_on is not None and closes_on < earliest_closing_date(published_on):
        found.append(ROUND_TOO_SHORT)
    if decision_on <= closes_on:
        found.append(DECISION_NOT_AFTER_CLOSING)
    if decision_on > term_start:
        found.append(DECISION_AFTER_TERM_START)
    return found


def in_round(received_on: date, closes_on: date | None) -> bool:
    """Whether an application received on `received_on` belongs to the initial round: received
    on or before the closing date (a DAS has no applications before its publication)."""
    return closes_on is not None and received_on <= closes_on


def review_deadline(
    received_on: date,
    closes_on: date | None,
    decision_on: date | None,
    working_days_deadline: date,
) -> date:
    """The review deadline of an application: the joint decision date for one of the initial
    round (dir. 2014/24 art. 34(5): assessment may run until then; seed 003 §6.2: one
    definitive award), otherwise `working_days_deadline`, the usual N working days computed by
    portal.domain.working_days.

    Clarification pauses do not move the joint date: it is one date for every application of
    the round, announced in advance; a pause only counts for the working-day clock after it.
    """
    if decision_on is not None and in_round(received_on, closes_on):
        return decision_on
    return working_days_deadline


def round_state(today: date, closes_on: date | None) -> Literal["open", "closed"] | None:
    """ "open" while first applications are accepted, "closed" after the closing date, None
    without a round."""
    if closes_on is None:
        return None
    return "open" if today <= closes_on else "closed"
