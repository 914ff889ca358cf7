"""The page before submitting: everything that will be declared, where it was reused from and
what was decided on it before; the confirmation that reused documents cover new lots."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    ApplicationState,
    AuditEvent,
    EvidenceType,
    LotOutcome,
    ReviewMark,
)
from portal.services import applications, calendar, review
from tests import factories
from tests.support.app import login

REJECTION = "Het certificaat dekt de aangeboden zorg niet."
TODAY = date.today()
EARLIER = TODAY - timedelta(days=20)


@pytest.fixture()
def das(app: Flask):
    calendar.ensure_statutory_holidays(range(TODAY.year - 1, TODAY.year + 2))
    db.session.commit()
    return factories.DasFactory()


def criterion(das, code: str):
    return next(c for c in das.criteria if c.code == code)


def reject_on_g1(application) -> None:
    reviewer = factories.UserFactory()
    factories.assign(reviewer, application.das)
    when = factories.at(EARLIER + timedelta(days=1))
    review.declare_conflict(application, reviewer, False, "", when)
    review.assess(
        application,
        reviewer,
        {
            c.id: review.MarkInput(ReviewMark.FAIL, REJECTION)
            if c.code == "G1"
            else review.MarkInput(ReviewMark.PASS)
            for c in application.das.criteria
        },
        when,
    )
    review.decide(
        application,
        {
            al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Niet geschikt")
            for al in application.lots
        },
        reviewer,
        when,
        application.version_id,
    )


def page_of(client: FlaskClient, application) -> str:
    response = client.get(f"/aanbieder/aanmeldingen/{application.id}/indienen")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_a_renewed_draft_shows_every_answer_its_origin_and_the_rejection(
    client: FlaskClient, das
) -> None:
    user = factories.ProviderUserFactory()
    first = factories.submitted_application(das, user, EARLIER)
    reject_on_g1(first)
    login(client, user)
    draft = applications.start_application(das, user)
    mark = (
        f"Overgenomen uit aanmelding {first.reference} van {EARLIER:%d-%m-%Y}, besluit: afgewezen."
    )

    page = page_of(client, draft)
    # The earlier decision, per lot with its reason.
    assert (
        f"Op uw aanmelding {first.reference} van {EARLIER:%d-%m-%Y} is op "
        f"{EARLIER + timedelta(days=1):%d-%m-%Y} besloten:" in page
    )
    assert "Perceel 2. Wonen: Afgewezen (Niet geschikt)" in page
    # Lots and products.
    assert "1. Individuele begeleiding: 45A01 Individuele begeleiding" in page
    assert "2. Wonen: 45A02 Wonen" in page
    # Every exclusion ground answered "Nee": one statement naming the grounds, reused once.
    assert "Geen van deze uitsluitingsgronden is op onze organisatie van toepassing" in page
    assert "U1. Fraude" in page and "U2. Faillissement" in page
    # Each suitability answer, with its document and where it came from.
    g4_document = criterion(das, "G4")
    kvk = draft.answer_for(g4_document).documents[0]
    assert (
        f"{kvk.filename}: Uittreksel KvK, afgegeven op {EARLIER:%d-%m-%Y}, zonder einddatum" in page
    )
    assert page.count(mark) == 3  # the exclusion statement, G1 and G4
    # G1 was judged failing: its reason, and its document was not carried over.
    assert f"Eerder afgewezen op dit punt</strong> ({first.reference}, " in page
    assert REJECTION in page
    assert "Het eerder afgekeurde document is niet overgenomen." in page
    g1_block = page.split('id="criterium-G1"')[1].split('id="criterium-G4"')[0]
    assert "Geen documenten" in g1_block
    # Incomplete: what is missing is listed, and there is nothing to submit yet.
    assert "Dit ontbreekt nog" in page
    assert "Aanmelding indienen" not in page

    # A new certificate for G1: no longer reused, the earlier reason still shown; now complete.
    certificate = factories.upload_pdf(
        user,
        EvidenceType.QUALITY_CERTIFICATE,
        TODAY - timedelta(days=2),
        expires_on=TODAY + timedelta(days=700),
        content=factories.PDF_BYTES + b"nieuw",
        filename="nieuw-certificaat.pdf",
    )
    g1 = criterion(das, "G1")
    applications.save_answers(
        draft, {g1.id: applications.AnswerInput(True, document_ids=(certificate.id,))}, user
    )
    page = page_of(client, draft)
    assert page.count(mark) == 2
    assert REJECTION in page
    assert "Het eerder afgekeurde document is niet overgenomen." not in page
    assert (
        f"nieuw-certificaat.pdf: Kwaliteitscertificaat, afgegeven op "
        f"{TODAY - timedelta(days=2):%d-%m-%Y}, geldig tot {TODAY + timedelta(days=700):%d-%m-%Y}"
        in page
    )
    assert "Dit ontbreekt nog" not in page
    assert "Aanmelding indienen" in page
    assert 'name="covers_new_lots"' not in page  # the same lots again: nothing to confirm


def test_an_exclusion_ground_that_applies_is_shown_with_its_measures(
    client: FlaskClient, das
) -> None:
    user = factories.ProviderUserFactory()
    draft = factories.complete_draft(das, user, TODAY)
    u2 = criterion(das, "U2")
    applications.save_answers(
        draft,
        {u2.id: applications.AnswerInput(True, "Surseance in 2025.", "Nieuwe financiering.")},
        user,
    )
    login(client, user)
    page = page_of(client, draft)
    assert "Geen van deze uitsluitingsgronden" not in page
    assert "Overgenomen" not in page  # a first application reuses nothing
    assert "Veroordeeld voor fraude?</dt><dd>Nee</dd>" in page
    assert "Failliet?</dt><dd>Ja</dd>" in page
    assert "Surseance in 2025." in page and "Nieuwe financiering." in page


def test_more_lots_asks_to_confirm_that_reused_documents_cover_them(
    client: FlaskClient, das
) -> None:
    user = factories.ProviderUserFactory()
    first_lot, second_lot = das.lots
    factories.admit(das, user, EARLIER, lots=[first_lot])
    login(client, user)
    client.post(f"/aanbieder/das/{das.slug}/aanmelden")
    more = applications.open_application(das, user.organisation_id)
    client.post(
        f"/aanbieder/aanmeldingen/{more.id}/percelen",
        data={"products": [str(second_lot.products[0].id)]},
    )
    names = sorted(d.filename for d in applications.reused_documents(more))
    assert names == ["kvk_uittreksel.pdf", "kwaliteitscertificaat.pdf"]

    page = page_of(client, more)
    assert "besluit: toegelaten." in page
    label = f"Ik bevestig dat {', '.join(names)} ook gelden voor de zorg in 2. Wonen."
    assert label in page

    url = f"/aanbieder/aanmeldingen/{more.id}/indienen"
    refused = client.post(url, data={"declaration": "y"}).get_data(as_text=True)
    message = "Bevestig dat de eerder ingediende documenten ook gelden voor de nieuwe percelen"
    assert re.search(r'<a href="#covers_new_lots">' + message, refused)  # in the summary
    assert re.search(r'id="covers_new_lots-error">.*' + message, refused)  # at the checkbox
    db.session.refresh(more)
    assert more.state is ApplicationState.DRAFT

    response = client.post(url, data={"declaration": "y", "covers_new_lots": "y"})
    assert response.status_code == 302
    db.session.refresh(more)
    assert more.state is ApplicationState.SUBMITTED
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "application.submitted", AuditEvent.object_id == more.id
        )
    )
    assert event.details["reused_documents_cover_lots"]["lots"] == ["2"]
    assert len(event.details["reused_documents_cover_lots"]["documents"]) == 2
