"""How long the declarations and evidence of rejected and ended providers are kept.

Source: the privacy statement (templates/public/privacy.html) and ``RETENTION_YEARS`` in
portal/config.py: declarations and evidence of providers that were rejected, or whose agreement
ended, are kept a number of years after the end of the DAS (the Archiefwet selection list for
procurement files), then deleted. Decisions, agreements and the official report belong to the
municipalities' archive and are not touched.

A period of whole years is counted as Regulation (EEC, Euratom) No 1182/71 art. 3(2)(c) counts
it: it ends at the end of the day in the last year with the same date as the day it runs from;
when that date does not exist (29 February in a year that is not a leap year), at the end of the
last day of that month. The data may be deleted from the next day on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


def retention_ends(das_end: date, years: int) -> date:
    """The last day the data must still be kept: ``years`` after the end of the DAS.

    relativedelta clips 29 February to 28 February in a common year, which is the rule of
    Regulation 1182/71 art. 3(2)(c) (the last day of that month)."""
    if years < 0:
        raise ValueError("a retention period is zero years or more")
    return das_end + relativedelta(years=years)


def purge_due(das_end: date, today: date, years: int) -> bool:
    """True when the retention period after the DAS's end has run out before ``today``."""
    return today > retention_ends(das_end, years)


class Standing(enum.StrEnum):
    """Where a provider stands in one DAS, for the retention rule."""

    REJECTED = "rejected"  # decided, every lot rejected, never an agreement
    ENDED = "ended"  # its agreement ended (state ENDED, or its end date has passed)
    ACTIVE = "active"  # an agreement that has not ended, or an admission without one
    UNDECIDED = "undecided"  # nothing decided yet (drafts, withdrawals, or still in review)


@dataclass(frozen=True)
class ProviderFacts:
    """What the rule needs to know about one provider in one DAS."""

    any_admitted_lot: bool
    any_rejected_lot: bool
    any_pending_review: bool  # an application submitted or waiting for a clarification
    agreement_ended: bool | None  # None: no agreement


def standing(facts: ProviderFacts) -> Standing:
    """Classify a provider; only REJECTED and ENDED providers' declarations are purged.

    An agreement that has not ended keeps everything, and so does an admission without an
    agreement or an application still under review: when in doubt, keep."""
    if facts.agreement_ended is not None:
        return Standing.ENDED if facts.agreement_ended else Standing.ACTIVE
    if facts.any_admitted_lot:
        return Standing.ACTIVE
    if facts.any_pending_review or not facts.any_rejected_lot:
        return Standing.UNDECIDED
    return Standing.REJECTED


def is_purgeable(standing_: Standing) -> bool:
    return standing_ in (Standing.REJECTED, Standing.ENDED)
