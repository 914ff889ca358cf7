"""Administrators keep the working-day calendar: days equated by royal decree count as holidays
for every deadline (Algemene termijnenwet art. 3(3)); statutory days cannot be removed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Holiday, HolidayKind, Role
from portal.services import applications, calendar
from tests import factories
from tests.support.app import login


def test_an_equated_day_moves_the_deadline(app: Flask, client: FlaskClient) -> None:
    calendar.ensure_statutory_holidays(range(2027, 2028))
    db.session.commit()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    page = client.post("/beheer/feestdagen", data={"day": "2027-05-07", "name": ""})
    assert "Geef de dag een naam." in page.get_data(as_text=True)
    client.post("/beheer/feestdagen", data={"day": "2027-05-07", "name": "Vrijdag na Hemelvaart"})
    assert db.session.get(Holiday, date(2027, 5, 7)).kind is HolidayKind.EQUATED
    text = client.get("/beheer/feestdagen?jaar=2027").get_data(as_text=True)
    assert "Vrijdag na Hemelvaart" in text and "Tweede Pinksterdag" in text

    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2027, 4, 20))
    # Received Monday 3 May 2027: 5 May, Ascension (6 May), the equated 7 May and Whit Monday
    # (17 May) do not count: the 10th working day is Friday 21 May.
    applications.submit(application, provider, datetime(2027, 5, 3, 9, tzinfo=UTC))
    assert application.review_deadline == date(2027, 5, 21)

    client.post("/beheer/feestdagen/2027-05-17/verwijderen")
    assert db.session.get(Holiday, date(2027, 5, 17)) is not None  # statutory: stays
    client.post("/beheer/feestdagen/2027-05-07/verwijderen")
    assert db.session.get(Holiday, date(2027, 5, 7)) is None
