"""A reviewer asks an admitted provider for an updated declaration; the provider answers it
starting from its earlier answers; a rejected update ends the admission for that lot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Application, ApplicationKind, DeclarationRequest, LotOutcome, Role
from portal.services import applications, calendar, review
from portal.services.agreements import agreement_of
from tests import factories
from tests.support.app import login


def test_request_answer_and_reject_an_update(app: Flask, client: FlaskClient, mailbox) -> None:
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    today = date.today()
    first = factories.complete_draft(das, provider, today - timedelta(days=5))
    applications.submit(first, provider, datetime.now(UTC) - timedelta(days=4))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    factories.decide(
        first,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in first.lots},
        reviewer,
        datetime.now(UTC) - timedelta(days=3),
        first.version_id,
    )

    # The reviewer asks; a request without a message or with a date in the past is refused.
    login(client, reviewer)
    url = f"/beoordeling/aanmeldingen/{first.id}/actuele-verklaring"
    page = client.post(url, data={"message": "", "due_on": today.isoformat()})
    assert "Schrijf wat u van de aanbieder vraagt." in page.get_data(as_text=True)
    due = today + timedelta(days=14)
    response = client.post(
        url, data={"message": "Uw polis is verlopen.", "due_on": due.isoformat()}
    )
    assert response.status_code == 302
    request = db.session.scalar(db.select(DeclarationRequest))
    assert request.is_open and request.due_on == due
    assert "Uw polis is verlopen." in mailbox.body(mailbox.last_to(provider.email))
    text = client.get(f"/beoordeling/aanmeldingen/{first.id}").get_data(as_text=True)
    assert "is om een actuele verklaring gevraagd" in text

    # The provider sees it and starts from its earlier answers, for the lots it is admitted for.
    login(client, provider)
    dashboard = client.get("/aanbieder/").get_data(as_text=True)
    assert "Verzoek om een actuele verklaring" in dashboard and "Uw polis is verlopen." in dashboard
    response = client.post(f"/aanbieder/das/{das.slug}/verklaring-bijwerken")
    update = db.session.scalar(
        db.select(Application).where(Application.kind == ApplicationKind.UPDATE)
    )
    assert response.location == f"/aanbieder/aanmeldingen/{update.id}"
    assert {al.lot_id for al in update.lots} == {lot.id for lot in das.lots}
    assert len(update.answers) == len(das.criteria)
    assert "Die blijven gelijk" in client.get(
        f"/aanbieder/aanmeldingen/{update.id}/percelen"
    ).get_data(as_text=True)
    response = client.post(
        f"/aanbieder/aanmeldingen/{update.id}/indienen", data={"declaration": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.answered_by_application_id == update.id

    # The reviewer keeps one lot and ends the other.
    first_lot, second_lot = das.lots
    db.session.refresh(update)
    factories.decide(
        update,
        {
            first_lot.id: review.LotDecision(LotOutcome.ADMITTED, ""),
            second_lot.id: review.LotDecision(LotOutcome.REJECTED, "Geen geldige polis"),
        },
        reviewer,
        datetime.now(UTC),
        update.version_id,
    )
    agreement = agreement_of(das.id, provider.organisation_id)
    current = {al.lot_id for al in agreement.lots if al.is_current}
    assert current == {first_lot.id}
    ended = next(al for al in agreement.lots if al.lot_id == second_lot.id)
    assert ended.end_reason == "Geen geldige polis"
    public = client.get(f"/das/{das.slug}").get_data(as_text=True)
    section = public.split(f'id="lot-{second_lot.id}"')[1].split("</section>")[0]
    assert provider.organisation.legal_name not in section
    # The provider can apply for the ended lot again.
    again = applications.start_application(das, provider)
    assert again.kind is ApplicationKind.MORE_LOTS
