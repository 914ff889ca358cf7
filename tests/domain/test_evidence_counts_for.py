"""Whether a document counts for a criterion on a day (issue 22: carried to another DAS)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.evidence import counts_for

ON = date(2027, 6, 1)
KVK, TAX, CERT = "kvk_uittreksel", "verklaring_betalingsgedrag", "kwaliteitscertificaat"


@pytest.mark.parametrize(
    ("kind", "issued_on", "expires_on", "accepted", "max_age", "counts"),
    [
        (KVK, date(2027, 1, 1), None, [KVK], None, True),  # 5 months: within the kind's 6
        (KVK, date(2026, 12, 1), None, [KVK], None, True),  # exactly 6 months
        (KVK, date(2026, 11, 30), None, [KVK], None, False),  # the kind's own limit
        (KVK, date(2027, 1, 1), None, [KVK], 3, False),  # the criterion's stricter limit
        (KVK, date(2027, 3, 1), None, [KVK], 3, True),
        (CERT, date(2020, 1, 1), date(2027, 6, 1), [CERT], None, True),  # ends today: counts
        (CERT, date(2020, 1, 1), date(2027, 5, 31), [CERT], None, False),  # ended
        (CERT, date(2025, 7, 1), None, [CERT], 24, True),
        (CERT, date(2025, 7, 1), None, [CERT], 12, False),
        (TAX, date(2027, 5, 1), None, [KVK], None, False),  # a kind the criterion does not take
        (TAX, date(2027, 5, 1), None, [KVK, TAX], None, True),  # one of the kinds it takes
        (KVK, date(2027, 5, 1), None, [], None, False),  # it takes no documents
        (KVK, date(2027, 6, 2), None, [KVK], None, False),  # issued after the day
    ],
)
def test_counts_for(kind, issued_on, expires_on, accepted, max_age, counts) -> None:
    assert counts_for(kind, issued_on, expires_on, accepted, max_age, ON) is counts
