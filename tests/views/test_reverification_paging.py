"""The re-verification list is paged and keeps its order: soonest lapse first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from flask.testing import FlaskClient

from portal.domain import evidence as rules
from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import DeclarationRequest, Role
from portal.services import calendar, reverification
from tests import factories
from tests.factories import admit
from tests.support.app import login


@pytest.mark.parametrize("months", [1, 6, 12, 24])
def test_the_latest_lapsing_issue_date_agrees_with_the_domain_rule(months: int) -> None:
    # The SQL compares issue dates with this bound instead of adding months in the database;
    # month ends are where the two could differ (31 August + 6 months = 28 February).
    for cutoff in (date(2027, 1, 1) + timedelta(days=n) for n in range(0, 800, 3)):
        bound = reverification._latest_issue_date(months, cutoff)
        for issued in (bound - timedelta(days=n) for n in range(-4, 5)):
            lapses = rules.valid_until(issued, None, months) <= cutoff
            assert lapses == (issued <= bound), (months, cutoff, issued)


def test_page_two_shows_the_next_rows(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = local_date(now())
    calendar.ensure_statutory_holidays(range(today.year - 2, today.year + 3))
    db.session.commit()
    das = factories.DasFactory(term_start=today - relativedelta(years=2))
    # Admitted on working-day Mondays; the KvK extract of the admission day lapses 6 months on,
    # so the earlier the admission, the sooner the lapse (the list's order).
    monday = today - relativedelta(months=8) - timedelta(days=today.weekday())
    days = [monday - timedelta(weeks=n) for n in range(3)]
    due = [admit(das, factories.ProviderUserFactory(), day) for day in days]
    fresh = admit(das, factories.ProviderUserFactory(), monday + relativedelta(months=7))
    in_order = [a.organisation.legal_name for a in reversed(due)]
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    # The provider admitted last (alone on page 2) was asked for an update and is late.
    db.session.add(
        DeclarationRequest(
            das_id=das.id,
            organisation_id=due[0].organisation_id,
            requested_by_id=reviewer.id,
            due_on=today - timedelta(days=1),
            message="Nieuw KvK-uittreksel graag",
        )
    )
    db.session.commit()
    assert [r.agreement.id for r in reverification.due_for_reverification(reviewer, today)] == [
        a.id for a in reversed(due)
    ]

    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    login(client, reviewer)
    url = "/beoordeling/herbeoordeling"
    pages = [client.get(url, query_string={"pagina": n}).get_data(as_text=True) for n in (1, 2)]
    shown = [[name for name in in_order if name in page] for page in pages]
    assert shown == [in_order[:2], in_order[2:]]
    assert "te laat" in pages[1] and "te laat" not in pages[0]
    assert all(fresh.organisation.legal_name not in page for page in pages)
    assert "Pagina 1 van 2" in pages[0] and 'rel="next"' in pages[0]
    assert "Pagina 2 van 2" in pages[1] and 'rel="prev"' in pages[1]
    # A suspension refused on page 2 shows page 2 again.
    assert f'/beoordeling/overeenkomsten/{due[0].id}/opschorten?pagina=2"' in pages[1]
    assert client.get(url, query_string={"pagina": 3}).status_code == 404
