"""The period for a complaint against a decision on an application.

Source: ../shared/DOMAIN.md "Complaints and remedies": a rejection is a decision of the
municipality as a contracting party, not an administrative decision, so there is no Awb "bezwaar".
The decision letter names a period of 20 calendar days after the letter's date (as the Alcatel
standstill period does) for a complaint under the municipalities' complaints procedure; the civil
court remains open. A late complaint is still recorded (marked late), never refused.
"""

from __future__ import annotations

from datetime import date, timedelta

#: Calendar days after the date of the decision letter (DOMAIN.md): a weekend or a holiday does
#: not move the last day.
COMPLAINT_PERIOD_DAYS = 20


def complaint_period_end(letter_date: date) -> date:
    """The last day a complaint against the decision is in time: the 20th calendar day after
    the date of the letter (the letter's own day is day 0)."""
    return letter_date + timedelta(days=COMPLAINT_PERIOD_DAYS)


def is_late(letter_date: date, filed_on: date) -> bool:
    """Whether a complaint filed on `filed_on` (the provider's local date) came after the
    period: on the last day it is still in time."""
    return filed_on > complaint_period_end(letter_date)
