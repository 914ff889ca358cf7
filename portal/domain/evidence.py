"""How old evidence may be, and whether a document still counts.

Source: ../shared/DOMAIN.md "Suitability criteria": a Gedragsverklaring Aanbesteden at most 24 months
old; a tax payment statement (verklaring betalingsgedrag) and a KvK extract at most 6 months old; an
insurance policy and a certificate carry their own end dates; requested evidence is due within 14
calendar days. Ages are measured against the submission date: that is when the provider declares
that the documents are current.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

# Keyed by the evidence type's stored value (portal.models.EvidenceType).
DEFAULT_MAX_AGE_MONTHS: dict[str, int] = {
    "gedragsverklaring_aanbesteden": 24,
    "verklaring_betalingsgedrag": 6,
    "kvk_uittreksel": 6,
}


#: Evidence a reviewer asks for is due within this many calendar days (DOMAIN.md).
REQUESTED_EVIDENCE_DUE_DAYS = 14


def requested_evidence_due_on(requested_on: date) -> date:
    """The day by which evidence asked for on `requested_on` is due: 14 calendar days later
    (DOMAIN.md "Suitability criteria"). Calendar days, not working days: a weekend or holiday
    does not move it. It is the proposed date of a clarification or an update request; the
    reviewer may choose another."""
    return requested_on + timedelta(days=REQUESTED_EVIDENCE_DUE_DAYS)


def oldest_acceptable_issue_date(on: date, max_age_months: int) -> date:
    """A document issued on or after this date is young enough on `on`."""
    return on - relativedelta(months=max_age_months)


def is_too_old(issued_on: date, max_age_months: int | None, on: date) -> bool:
    if max_age_months is None:
        return False
    return issued_on < oldest_acceptable_issue_date(on, max_age_months)


def is_expired(expires_on: date | None, on: date) -> bool:
    """A document with an end date counts up to and including that date."""
    return expires_on is not None and expires_on < on


def valid_until(
    issued_on: date, expires_on: date | None, max_age_months: int | None
) -> date | None:
    """The last day a document counts: its own end date, or the day it becomes too old, whichever
    comes first; None when neither applies."""
    candidates = [d for d in (expires_on,) if d is not None]
    if max_age_months is not None:
        candidates.append(issued_on + relativedelta(months=max_age_months))
    return min(candidates) if candidates else None


def expires_soon(last_valid_day: date | None, today: date, within_days: int) -> bool:
    """Still valid today, but not for `within_days` more days (the provider should renew it)."""
    if last_valid_day is None or last_valid_day < today:
        return False
    return (last_valid_day - today).days <= within_days


def offered_for(
    document_type: str,
    issued_on: date,
    expires_on: date | None,
    wanted_type: str | None,
    max_age_months: int | None,
    today: date,
) -> bool:
    """Whether a document is offered as evidence for a criterion: of the kind the criterion asks
    for (any kind when it names none) and still valid today, by its own end date, the kind's age
    limit and the criterion's. A provider's store grows every year; the form lists what can count
    (documents already linked stay listed, see the form)."""
    if wanted_type is not None and document_type != wanted_type:
        return False
    limits = [m for m in (DEFAULT_MAX_AGE_MONTHS.get(document_type), max_age_months) if m]
    last_day = valid_until(issued_on, expires_on, min(limits) if limits else None)
    return last_day is None or last_day >= today
