"""Dates that mean an upload can never count, refused at the door
(portal.domain.evidence.upload_date_problem), with the date that would do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.domain.evidence import (
    DateRefusal,
    pending_upload_expired,
    strictest_max_age,
    upload_date_problem,
)

SUBMISSION = date(2026, 11, 28)  # today, for a draft
KVK = "kvk_uittreksel"  # 6 months by its kind (DOMAIN.md)
GEDRAG = "gedragsverklaring_aanbesteden"  # 24 months by its kind
CERT = "kwaliteitscertificaat"  # no age limit of its own; an end date


@pytest.mark.parametrize(
    ("kind", "issued", "expires", "criterion_age", "refusal", "earliest"),
    [
        # the issue's KvK extract of 02-03-2026: too old on 28-11-2026; 28-05-2026 would do
        (KVK, date(2026, 3, 2), None, None, DateRefusal.TOO_OLD, date(2026, 5, 28)),
        (KVK, date(2026, 5, 27), None, None, DateRefusal.TOO_OLD, date(2026, 5, 28)),
        (KVK, date(2026, 5, 28), None, None, None, None),  # exactly 6 months: counts
        (KVK, SUBMISSION, None, None, None, None),  # issued today
        # the future is refused, also a day ahead
        (KVK, SUBMISSION + timedelta(days=1), None, None, DateRefusal.ISSUED_IN_FUTURE, None),
        (CERT, date(2027, 1, 1), date(2030, 1, 1), None, DateRefusal.ISSUED_IN_FUTURE, None),
        # a criterion stricter than the kind wins; a laxer one does not loosen the kind's rule
        (GEDRAG, date(2025, 1, 1), None, None, None, None),
        (GEDRAG, date(2025, 1, 1), None, 6, DateRefusal.TOO_OLD, date(2026, 5, 28)),
        (KVK, date(2026, 4, 1), None, 12, DateRefusal.TOO_OLD, date(2026, 5, 28)),
        # no limit at all: old is fine
        (CERT, date(2015, 1, 1), None, None, None, None),
        (CERT, date(2020, 1, 1), date(2027, 1, 1), 120, None, None),
        # an end date: before the issue date, or already passed on the submission day
        (CERT, date(2026, 1, 1), date(2025, 12, 31), None, DateRefusal.EXPIRES_BEFORE_ISSUE, None),
        (CERT, date(2024, 1, 1), date(2026, 11, 27), None, DateRefusal.EXPIRED, None),
        (CERT, date(2024, 1, 1), SUBMISSION, None, None, None),  # counts through its last day
    ],
)
def test_upload_date_problem(kind, issued, expires, criterion_age, refusal, earliest) -> None:
    problem = upload_date_problem(kind, issued, expires, criterion_age, SUBMISSION)
    if refusal is None:
        assert problem is None
        return
    assert problem is not None
    assert problem.refusal is refusal
    assert problem.earliest_issue_date == earliest
    assert problem.submission_day == SUBMISSION


def test_too_old_names_the_limit_that_applied() -> None:
    problem = upload_date_problem(GEDRAG, date(2025, 1, 1), None, 6, SUBMISSION)
    assert problem is not None and problem.max_age_months == 6


@pytest.mark.parametrize(
    ("kind", "limits", "expected"),
    [
        (KVK, [], 6),
        (KVK, [None, 3], 3),
        (KVK, [12], 6),
        (CERT, [], None),
        (CERT, [None], None),
        (CERT, [24, 36], 24),
    ],
)
def test_strictest_max_age(kind, limits, expected) -> None:
    assert strictest_max_age(kind, limits) == expected


def test_a_pending_upload_lasts_a_day() -> None:
    received = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert not pending_upload_expired(received, received + timedelta(hours=23, minutes=59))
    assert pending_upload_expired(received, received + timedelta(days=1))
