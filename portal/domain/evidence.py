"""How old evidence may be, and whether a document still counts.

Source: ../shared/DOMAIN.md "Suitability criteria": a Gedragsverklaring Aanbesteden at most 24 months
old; a tax payment statement (verklaring betalingsgedrag) and a KvK extract at most 6 months old; an
insurance policy and a certificate carry their own end dates; requested evidence is due within 14
calendar days. Ages are measured against the submission date: that is when the provider declares
that the documents are current.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

# Keyed by the evidence type's stored value (portal.models.EvidenceType).
DEFAULT_MAX_AGE_MONTHS: dict[str, int] = {
    "gedragsverklaring_aanbesteden": 24,
    "verklaring_betalingsgedrag": 6,
    "kvk_uittreksel": 6,
}


#: The kinds that carry their own end date (DOMAIN.md: an insurance policy and a certificate; a
#: professional registration is renewed too). Their upload asks for "geldig tot"; the other kinds
#: count by their age. "overig" may be anything, so it may have one.
HAS_END_DATE: frozenset[str] = frozenset(
    {"kwaliteitscertificaat", "verzekeringspolis", "beroepsregistratie", "overig"}
)

#: A received file whose form was refused (a date to correct) is kept this long, so the provider
#: does not choose it again; after that it is gone (portal.services.pending_uploads).
PENDING_UPLOAD_LIFETIME = timedelta(days=1)


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


def strictest_max_age(document_type: str, limits: Iterable[int | None]) -> int | None:
    """The age limit a document of this kind must meet: the strictest of the kind's own rule
    (DEFAULT_MAX_AGE_MONTHS) and the given criteria's limits; None when nothing limits it."""
    given = [m for m in (DEFAULT_MAX_AGE_MONTHS.get(document_type), *limits) if m]
    return min(given) if given else None


class DateRefusal(enum.StrEnum):
    """Why an upload's dates mean it can never count (refused at the door, issue 17)."""

    ISSUED_IN_FUTURE = "issued_in_future"
    EXPIRES_BEFORE_ISSUE = "expires_before_issue"
    TOO_OLD = "too_old"
    EXPIRED = "expired"


@dataclass(frozen=True)
class DateProblem:
    refusal: DateRefusal
    submission_day: date  # the day the document must count on: an issue date after it is refused
    max_age_months: int | None = None
    # For TOO_OLD: a document issued on or after this day would do.
    earliest_issue_date: date | None = None


def upload_date_problem(
    document_type: str,
    issued_on: date,
    expires_on: date | None,
    max_age_months: int | None,
    submission_day: date,
) -> DateProblem | None:
    """Whether an upload's dates mean it cannot count on `submission_day` (today, for a draft):
    issued after that day, ending before it was issued, older than the strictest limit of its kind
    and `max_age_months` (DOMAIN.md "Suitability criteria": ages are measured against the
    submission date), or already ended. None when the dates are fine."""
    if issued_on > submission_day:
        return DateProblem(DateRefusal.ISSUED_IN_FUTURE, submission_day)
    if expires_on is not None and expires_on < issued_on:
        return DateProblem(DateRefusal.EXPIRES_BEFORE_ISSUE, submission_day)
    limit = strictest_max_age(document_type, [max_age_months])
    if limit is not None and is_too_old(issued_on, limit, submission_day):
        return DateProblem(
            DateRefusal.TOO_OLD,
            submission_day,
            limit,
            oldest_acceptable_issue_date(submission_day, limit),
        )
    if is_expired(expires_on, submission_day):
        return DateProblem(DateRefusal.EXPIRED, submission_day)
    return None


def pending_upload_expired(received_at: datetime, now: datetime) -> bool:
    """A pending upload counts for PENDING_UPLOAD_LIFETIME after it was received."""
    return received_at + PENDING_UPLOAD_LIFETIME <= now


def counts_for(
    document_type: str,
    issued_on: date,
    expires_on: date | None,
    accepted_types: Collection[str],
    max_age_months: int | None,
    on: date,
) -> bool:
    """Whether a document counts as evidence for a criterion on `on`: it is of a kind the
    criterion accepts (a criterion that names no kind takes no documents), issued by then, not
    ended (is_expired) and not older than the strictest of its kind's limit and the criterion's
    (strictest_max_age; DOMAIN.md "Suitability criteria"). Issue 22: a document declared for one
    DAS is carried to another DAS's criterion only when it counts there."""
    if document_type not in accepted_types or issued_on > on:
        return False
    if is_expired(expires_on, on):
        return False
    return not is_too_old(issued_on, strictest_max_age(document_type, [max_age_months]), on)
