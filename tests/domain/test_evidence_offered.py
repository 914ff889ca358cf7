"""Which documents the suitability form offers for a criterion (portal.domain.evidence.offered_for):
the kind the criterion asks for, still valid today by end date, the kind's age limit and the
criterion's own."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.evidence import DEFAULT_MAX_AGE_MONTHS, offered_for

TODAY = date(2026, 11, 25)
AGED_KIND, AGE = next(iter(DEFAULT_MAX_AGE_MONTHS.items()))
FREE_KIND = "kwaliteitscertificaat"  # no age limit of its own
assert FREE_KIND not in DEFAULT_MAX_AGE_MONTHS


@pytest.mark.parametrize(
    ("kind", "issued", "expires", "wanted", "criterion_age", "offered"),
    [
        # any kind when the criterion names none; no end date, no age limit: always
        (FREE_KIND, date(2015, 1, 1), None, None, None, True),
        # the wrong kind is never offered
        (FREE_KIND, date(2026, 1, 1), None, AGED_KIND, None, False),
        # its own end date: valid through that day
        (FREE_KIND, date(2025, 1, 1), TODAY, FREE_KIND, None, True),
        (FREE_KIND, date(2025, 1, 1), date(2026, 11, 24), FREE_KIND, None, False),
        # the criterion's age limit: 6 months old today still counts, a day older not
        (FREE_KIND, date(2026, 5, 25), None, FREE_KIND, 6, True),
        (FREE_KIND, date(2026, 5, 24), None, FREE_KIND, 6, False),
    ],
)
def test_offered_for(kind, issued, expires, wanted, criterion_age, offered) -> None:
    assert offered_for(kind, issued, expires, wanted, criterion_age, TODAY) is offered


def test_the_kind_s_own_age_limit_counts_and_the_stricter_limit_wins() -> None:
    from dateutil.relativedelta import relativedelta

    just_in = TODAY - relativedelta(months=AGE)
    assert offered_for(AGED_KIND, just_in, None, AGED_KIND, None, TODAY)
    assert not offered_for(AGED_KIND, just_in - relativedelta(days=1), None, None, None, TODAY)
    # a criterion stricter than the kind's limit
    assert not offered_for(AGED_KIND, just_in, None, None, AGE - 1, TODAY)
