"""A conflict of interest binds everything.

The attack: a reviewer declares a conflict on an application, and then extends its deadline,
assigns it (to themselves or a colleague), downloads its evidence, reads its questions and
decisions, fetches its decision letter, asks the provider for an updated declaration or
suspends the admission. Each is refused, with a 403 or the Dutch refusal on the page, and
nothing changes. What stays visible is what the queue shows: the row, marked "Belangenconflict
gemeld", and the application's heading facts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    Application,
    AuditEvent,
    Clarification,
    DeclarationRequest,
    EvidenceType,
    LotOutcome,
    Role,
)
from portal.services import ServiceError, agreements, applications, letters, ownership, review
from portal.services import reverification as reverification_service
from tests import factories
from tests.support.app import login

REFUSED = "U heeft een belangenconflict gemeld bij deze aanbieder"
AT = datetime(2027, 3, 2, 9, tzinfo=UTC)


@pytest.fixture()
def conflicted(app: Flask, client: FlaskClient):
    """A submitted application with a clarification answered with a document, a colleague
    reviewer, and a reviewer who declared a conflict of interest on it (signed in)."""
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2027, 3, 1))
    applications.submit(application, provider, datetime(2027, 3, 1, 9, tzinfo=UTC))
    reviewer = factories.UserFactory(role=Role.REVIEWER, name="Conny Conflict")
    colleague = factories.UserFactory(role=Role.REVIEWER, name="Chris Collega")
    factories.assign(reviewer, das)
    factories.assign(colleague, das)
    # The colleague asks a question; the provider answers with a new document.
    review.declare_conflict(application, colleague, False, "", AT)
    question = review.ask_clarification(
        application, colleague, "Stuur de nieuwe polis.", [], date(2027, 3, 20), AT
    )
    reply_document = factories.upload_pdf(
        provider, EvidenceType.OTHER, date(2027, 3, 1), content=factories.PDF_BYTES + b"% reply"
    )
    review.answer_clarification(
        application, question, provider, "Zie bijlage.", [reply_document.id], AT
    )
    login(client, reviewer)
    response = client.post(
        f"/beoordeling/aanmeldingen/{application.id}/belangenconflict",
        data={"has_conflict": "yes", "note": "Mijn zus werkt daar"},
    )
    assert response.status_code == 302
    return application, reviewer, colleague, reply_document


def url(application: Application, action: str = "") -> str:
    return f"/beoordeling/aanmeldingen/{application.id}" + (f"/{action}" if action else "")


def audit_actions(application: Application) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.object_type == "application", AuditEvent.object_id == application.id)
            .order_by(AuditEvent.id)
        )
    )


def test_extending_the_deadline_is_refused(client: FlaskClient, conflicted) -> None:
    application, _reviewer, _colleague, _doc = conflicted
    before = (
        application.review_working_days,
        application.review_deadline,
        audit_actions(application),
    )
    response = client.post(
        url(application, "verlengen"), data={"working_days": "15", "reason": "Druk"}
    )
    assert response.status_code == 200 and REFUSED in response.get_data(as_text=True)
    db.session.expire_all()
    after = db.session.get(Application, application.id)
    assert (after.review_working_days, after.review_deadline, audit_actions(after)) == before


@pytest.mark.parametrize("who", ["self", "colleague"])
def test_assigning_it_is_refused(client: FlaskClient, conflicted, who: str) -> None:
    application, _reviewer, colleague, _doc = conflicted
    actions = audit_actions(application)
    data = {"take": "1"} if who == "self" else {"assignee": str(colleague.id)}
    response = client.post(url(application, "toewijzen"), data=data)
    assert response.status_code == 200 and REFUSED in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).assigned_reviewer_id is None
    assert audit_actions(application) == actions


def test_the_services_refuse_too(app: Flask, conflicted) -> None:
    """The second wall: called without the views, the services refuse the same."""
    application, reviewer, colleague, reply_document = conflicted
    calls = [
        lambda: review.extend_deadline(application, reviewer, 15, "Druk", AT),
        lambda: review.assign(application, colleague, reviewer),
        lambda: review.assign(application, reviewer, reviewer),
        lambda: ownership.staff_document(reply_document.id, reviewer),
    ]
    for call in calls:
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code == "own_conflict"
        db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        review.ask_clarification(application, reviewer, "Vraag", [], date(2027, 4, 1), AT)
    assert refused.value.code == "reviewer_has_conflict"


def test_evidence_is_not_downloaded(client: FlaskClient, conflicted) -> None:
    application, _reviewer, colleague, reply_document = conflicted
    answer_documents = [d.id for a in application.answers for d in a.documents]
    assert answer_documents
    for document_id in [*answer_documents, reply_document.id]:
        response = client.get(f"/beoordeling/documenten/{document_id}")
        assert response.status_code == 403
        assert b"%PDF" not in response.data
        assert "attachment" not in response.headers.get("Content-Disposition", "")
    # The colleague without a conflict still can.
    other = client.application.test_client()
    login(other, colleague)
    assert other.get(f"/beoordeling/documenten/{reply_document.id}").data.startswith(b"%PDF")


def test_the_page_shows_what_the_queue_shows_and_no_more(client: FlaskClient, conflicted) -> None:
    application, _reviewer, _colleague, reply_document = conflicted
    page = client.get(url(application)).get_data(as_text=True)
    assert application.reference in page and application.organisation.legal_name in page
    assert "U heeft een belangenconflict gemeld" in page
    for hidden in [
        "/beoordeling/documenten/",  # no evidence links
        reply_document.filename,
        "Stuur de nieuwe polis.",  # the question
        "Zie bijlage.",  # and the answer
        "Tijdlijn",
        "Antwoorden en beoordeling per eis",
        url(application, "toewijzen"),
        url(application, "verlengen"),
    ]:
        assert hidden not in page, hidden
    queue = client.get("/beoordeling/").get_data(as_text=True)
    assert application.reference in queue and "Belangenconflict gemeld" in queue


def test_a_decided_application_stays_closed(app: Flask, client: FlaskClient, conflicted) -> None:
    """After a colleague's decision: no letter, no decision reasons, no request for an updated
    declaration, no suspension of the admission."""
    application, reviewer, colleague, _doc = conflicted
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        colleague,
        AT + timedelta(days=1),
    )
    assert letters.letter_of(application) is not None
    response = client.get(url(application, "besluitbrief"))
    assert response.status_code == 403 and b"%PDF" not in response.data
    page = client.get(url(application)).get_data(as_text=True)
    assert "besluitbrief" not in page and "actuele-verklaring" not in page
    response = client.post(
        url(application, "actuele-verklaring"),
        data={"message": "Stuur uw nieuwe polis.", "due_on": "2030-01-01"},
    )
    assert response.status_code == 200 and REFUSED in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(DeclarationRequest)) == 0
    agreement = agreements.agreement_of(application.das_id, application.organisation_id)
    state = agreement.state
    response = client.post(
        f"/beoordeling/overeenkomsten/{agreement.id}/opschorten", data={"reason": "Te laat"}
    )
    assert response.status_code == 200 and REFUSED in response.get_data(as_text=True)
    with pytest.raises(ServiceError) as refused:
        reverification_service.suspend_admission(
            reviewer, agreement, "Te laat", AT + timedelta(days=60), date(2027, 5, 1)
        )
    assert refused.value.code == "own_conflict"
    db.session.rollback()
    db.session.expire_all()
    assert agreements.agreement_of(application.das_id, application.organisation_id).state is state


def test_questions_are_refused(client: FlaskClient, conflicted) -> None:
    application, _reviewer, _colleague, _doc = conflicted
    count = db.session.scalar(db.select(db.func.count()).select_from(Clarification))
    response = client.post(
        url(application, "herstelverzoek"),
        data={"question": "Nog een vraag", "reply_due_on": "2030-01-01"},
    )
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Clarification)) == count
