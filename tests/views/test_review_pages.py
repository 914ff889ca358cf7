"""The reviewer's queue and decision pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Application, ApplicationState, FrameworkAgreement, LotOutcome, Role
from portal.services import applications, calendar
from tests import factories
from tests.conftest import login


@pytest.fixture()
def submitted(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2026, 12, 1))
    # Received Friday 18 December 2026: due Tuesday 5 January 2027 (DOMAIN.md, issue 4).
    applications.submit(application, provider, datetime(2026, 12, 18, 9, tzinfo=UTC))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    login(client, reviewer)
    return das, application, reviewer


def test_queue_shows_deadline(app: Flask, client: FlaskClient, submitted) -> None:  # type: ignore[no-untyped-def]
    das, application, _ = submitted
    page = client.get("/beoordeling/").get_data(as_text=True)
    assert application.reference in page
    assert "18-12-2026" in page
    assert "05-01-2027" in page
    assert application.organisation.legal_name in page


def test_application_page_shows_answers_marks_and_timeline(
    app: Flask,
    client: FlaskClient,
    submitted,  # type: ignore[no-untyped-def]
) -> None:
    _, application, _ = submitted
    page = client.get(f"/beoordeling/aanmeldingen/{application.id}").get_data(as_text=True)
    assert "Voldoet" in page and "Oordeel nodig" not in page
    assert "application.submitted" in page
    assert "kwaliteitscertificaat.pdf" in page


def decision_data(application: Application, outcomes: dict[int, tuple[str, str]]) -> dict:  # type: ignore[type-arg]
    data: dict[str, str] = {"version": str(application.version_id)}
    for lot_id, (outcome, reason) in outcomes.items():
        data[f"lot{lot_id}_outcome"] = outcome
        data[f"lot{lot_id}_reason"] = reason
    return data


def test_admit_and_reject_through_the_page(app: Flask, client: FlaskClient, submitted) -> None:  # type: ignore[no-untyped-def]
    das, application, _ = submitted
    first, second = das.lots
    url = f"/beoordeling/aanmeldingen/{application.id}"
    page = client.post(
        url,
        data=decision_data(application, {first.id: ("admitted", ""), second.id: ("rejected", "")}),
    ).get_data(as_text=True)
    assert page.count("Geef bij een afwijzing de reden op.") >= 2  # summary and field
    db.session.refresh(application)
    assert application.state is ApplicationState.SUBMITTED

    response = client.post(
        url,
        data=decision_data(
            application,
            {first.id: ("admitted", ""), second.id: ("rejected", "Geen passend certificaat")},
        ),
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state is ApplicationState.DECIDED
    outcomes = {al.lot_id: al.outcome for al in application.lots}
    assert outcomes == {first.id: LotOutcome.ADMITTED, second.id: LotOutcome.REJECTED}
    agreement = db.session.scalar(db.select(FrameworkAgreement))
    assert agreement.end_date == date(2029, 12, 31)


def test_decision_on_a_stale_page_is_refused(app: Flask, client: FlaskClient, submitted) -> None:  # type: ignore[no-untyped-def]
    das, application, _ = submitted
    url = f"/beoordeling/aanmeldingen/{application.id}"
    stale = decision_data(application, {lot.id: ("admitted", "") for lot in das.lots})
    # A colleague decides first.
    colleague = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(colleague, das)
    other = app.test_client()
    login(other, colleague)
    assert other.post(url, data=stale).status_code == 302
    page = client.post(
        url, data=dict(stale, **{f"lot{das.lots[1].id}_outcome": "rejected"})
    ).get_data(as_text=True)
    assert "Iemand anders heeft deze aanmelding intussen gewijzigd" in page
    db.session.expire_all()
    assert all(
        al.outcome is LotOutcome.ADMITTED for al in db.session.get(Application, application.id).lots
    )


def test_reviewer_of_another_das_gets_404(app: Flask, client: FlaskClient, submitted) -> None:  # type: ignore[no-untyped-def]
    _, application, _ = submitted
    outsider = factories.UserFactory(role=Role.REVIEWER)
    login(client, outsider)
    assert client.get(f"/beoordeling/aanmeldingen/{application.id}").status_code == 404
    document = application.answers[-1].documents[0]
    assert client.get(f"/beoordeling/documenten/{document.id}").status_code == 404
    assert application.reference not in client.get("/beoordeling/").get_data(as_text=True)


def test_queue_is_paginated(app: Flask, client: FlaskClient, submitted) -> None:  # type: ignore[no-untyped-def]
    das, _, _ = submitted
    app.config["PER_PAGE"] = 1
    try:
        provider = factories.ProviderUserFactory()
        second = factories.complete_draft(das, provider, date(2026, 12, 1))
        applications.submit(second, provider, datetime(2026, 12, 21, 9, tzinfo=UTC))
        first_page = client.get("/beoordeling/").get_data(as_text=True)
        second_page = client.get("/beoordeling/?pagina=2").get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = 25
    assert "Pagina 1 van 2" in first_page and second.reference not in first_page
    assert second.reference in second_page
