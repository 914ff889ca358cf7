"""The reviewer's queue and assessment: deadlines, extension, conflicts, assessment per
criterion, clarification with the clock paused, four-eyes decision and the letter."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationState,
    Clarification,
    FrameworkAgreement,
    LotOutcome,
    Role,
)
from portal.services import applications, calendar
from tests import factories
from tests.support.app import login


@pytest.fixture()
def submitted(app: Flask, client: FlaskClient):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory(four_eyes=True)
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2026, 12, 1))
    # Received Friday 18 December 2026: due Tuesday 5 January 2027 (DOMAIN.md).
    applications.submit(application, provider, datetime(2026, 12, 18, 9, tzinfo=UTC))
    reviewer = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    factories.assign(reviewer, das)
    login(client, reviewer)
    return das, application, reviewer


def url(application: Application, action: str = "") -> str:
    return f"/beoordeling/aanmeldingen/{application.id}" + (f"/{action}" if action else "")


def test_queue_shows_deadline(app: Flask, client: FlaskClient, submitted) -> None:
    das, application, _ = submitted
    page = client.get("/beoordeling/").get_data(as_text=True)
    assert application.reference in page
    assert "18-12-2026" in page
    assert "05-01-2027" in page
    assert application.organisation.legal_name in page


def test_queue_filters(app: Flask, client: FlaskClient, submitted) -> None:
    das, application, reviewer = submitted
    other_das = factories.DasFactory()
    factories.assign(reviewer, other_das)
    provider = factories.ProviderUserFactory()
    other = factories.complete_draft(other_das, provider, date(2026, 12, 1))
    applications.submit(other, provider, datetime(2026, 12, 21, 9, tzinfo=UTC))

    def listed(query: str) -> set[str]:
        page = client.get(f"/beoordeling/?{query}").get_data(as_text=True)
        return {a.reference for a in (application, other) if a.reference in page}

    assert listed("") == {application.reference, other.reference}
    assert listed(f"das={other_das.id}") == {other.reference}
    assert listed(f"lot={das.lots[0].id}") == {application.reference}
    assert listed("state=clarification") == set()
    assert listed("reviewer=0") == {application.reference, other.reference}
    client.post(url(application, "toewijzen"), data={"take": "1"})
    assert listed(f"reviewer={reviewer.id}") == {application.reference}
    assert listed("reviewer=0") == {other.reference}
    assert listed("das=banaan") == {application.reference, other.reference}  # bad input: no filter


def test_extension_is_capped_at_fifteen_working_days(
    app: Flask,
    client: FlaskClient,
    submitted,
) -> None:
    _, application, _ = submitted
    page = client.post(url(application, "verlengen"), data={"working_days": "15", "reason": ""})
    assert "Geef de reden voor de verlenging op." in page.get_data(as_text=True)
    page = client.post(url(application, "verlengen"), data={"working_days": "16", "reason": "x"})
    assert (
        "Not a valid choice" in page.get_data(as_text=True)
        or "ongeldige keuze" in page.get_data(as_text=True).lower()
    )
    response = client.post(
        url(application, "verlengen"), data={"working_days": "15", "reason": "Veel bewijsstukken"}
    )
    assert response.status_code == 302
    db.session.refresh(application)
    # 18-12-2026 + 15 working days = 12-01-2027 (Christmas and New Year's Day do not count).
    assert application.review_deadline == date(2027, 1, 12)
    assert application.extension_reason == "Veel bewijsstukken"
    text = client.get(url(application)).get_data(as_text=True)
    assert "Termijn verlengd" in text and "Veel bewijsstukken" in text


def test_extension_service_refuses_beyond_the_legal_maximum(app: Flask, submitted) -> None:
    from portal.services import ServiceError, review

    _, application, reviewer = submitted
    with pytest.raises(ServiceError) as refused:
        review.extend_deadline(application, reviewer, 16, "Te veel", datetime.now(UTC))
    assert refused.value.code == "extension_beyond_maximum"


def test_conflict_of_interest_blocks_assessment(app: Flask, client: FlaskClient, submitted) -> None:
    _, application, _ = submitted
    page = client.get(url(application)).get_data(as_text=True)
    assert "verklaart u of u een belangenconflict heeft" in page
    assert "Beoordeling opslaan" not in page
    client.post(
        url(application, "belangenconflict"),
        data={"has_conflict": "yes", "note": "Mijn zus werkt daar"},
    )
    page = client.get(url(application)).get_data(as_text=True)
    assert "U heeft een belangenconflict gemeld" in page
    criteria = application.das.criteria
    page = client.post(
        url(application, "beoordelen"), data={f"c{c.id}_mark": "pass" for c in criteria}
    ).get_data(as_text=True)
    assert "deze beoordelaar mag deze aanmelding niet beoordelen" in page
    # Nor can they take it (tests/views/test_conflict_of_interest.py has the rest).
    page = client.post(url(application, "toewijzen"), data={"take": "1"}).get_data(as_text=True)
    assert "U heeft een belangenconflict gemeld bij deze aanbieder" in page


def test_assessment_fail_or_override_needs_a_reason(
    app: Flask,
    client: FlaskClient,
    submitted,
) -> None:
    _, application, _ = submitted
    client.post(url(application, "belangenconflict"), data={"has_conflict": "no"})
    u1, u2, g1, g4 = application.das.criteria
    data = {f"c{c.id}_mark": "pass" for c in (u1, u2, g1, g4)}
    data[f"c{g1.id}_mark"] = "fail"
    page = client.post(url(application, "beoordelen"), data=data).get_data(as_text=True)
    assert "Geef een reden bij elke afwijzing" in page and "(G1)" in page
    data[f"c{g1.id}_reason"] = "Certificaat dekt jeugdhulp niet"
    assert client.post(url(application, "beoordelen"), data=data).status_code == 302
    page = client.get(url(application)).get_data(as_text=True)
    assert "Certificaat dekt jeugdhulp niet" in page


def test_clarification_pauses_the_clock(
    app: Flask,
    client: FlaskClient,
    submitted,
    mailbox,
) -> None:
    _, application, _ = submitted
    client.post(url(application, "belangenconflict"), data={"has_conflict": "no"})
    page = client.post(
        url(application, "herstelverzoek"),
        data={"question": "", "reply_due_on": (date.today() + timedelta(days=14)).isoformat()},
    )
    assert "Schrijf uw vraag aan de aanbieder." in page.get_data(as_text=True)
    response = client.post(
        url(application, "herstelverzoek"),
        data={
            "question": "Uw KvK-uittreksel is onleesbaar. Stuur een nieuw exemplaar.",
            "criteria": ["G4"],
            "reply_due_on": (date.today() + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state is ApplicationState.CLARIFICATION
    assert "staat stil" in client.get("/beoordeling/").get_data(as_text=True)
    provider = application.organisation.users[0]
    message = mailbox.last_to(provider.email)
    assert "KvK-uittreksel is onleesbaar" in mailbox.body(message)

    # The provider answers with a new document; it is attached to the reply and to G4.
    clarification = db.session.scalar(db.select(Clarification))
    new_extract = factories.upload_pdf(
        provider,
        factories.EvidenceType.KVK_EXTRACT,
        date.today(),
        content=factories.PDF_BYTES + b"nieuw",
    )
    provider_client = app.test_client()
    login(provider_client, provider)
    reply_url = f"/aanbieder/aanmeldingen/{application.id}/vragen/{clarification.id}"
    assert "KvK-uittreksel is onleesbaar" in provider_client.get(
        f"/aanbieder/aanmeldingen/{application.id}"
    ).get_data(as_text=True)
    text = provider_client.post(reply_url, data={"answer": ""}).get_data(as_text=True)
    assert "Schrijf een antwoord of voeg een document toe." in text
    response = provider_client.post(
        reply_url, data={"answer": "Bijgevoegd.", "documents": [str(new_extract.id)]}
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state is ApplicationState.SUBMITTED
    g4 = next(a for a in application.answers if a.criterion.code == "G4")
    assert new_extract in g4.documents
    # Asked and answered today: paused days are after today, so the deadline moved only by
    # the working days that passed in between (none here).
    assert application.review_deadline == date(2027, 1, 5) or application.review_deadline > date(
        2027, 1, 5
    )
    page = client.get(url(application)).get_data(as_text=True)
    assert "Herstelverzoek gestuurd (termijn staat stil)" in page
    assert "Herstelverzoek beantwoord (termijn loopt weer)" in page
    assert "Bijgevoegd." in page


@pytest.mark.real_pdf  # reads the PDF
def test_four_eyes_decision_and_letter(
    app: Flask,
    client: FlaskClient,
    submitted,
    mailbox,
) -> None:
    das, application, reviewer = submitted
    first, second = das.lots
    client.post(url(application, "belangenconflict"), data={"has_conflict": "no"})
    # A decision before every criterion is assessed is refused.
    decision = {
        "version": str(application.version_id),
        "password": factories.PASSWORD,
        f"lot{first.id}_outcome": "admitted",
        f"lot{second.id}_outcome": "rejected",
        f"lot{second.id}_reason": "Geen aanbod in dit perceel",
    }
    page = client.post(url(application, "besluit"), data=decision).get_data(as_text=True)
    assert (
        "Beoordeel eerst deze eisen voordat u een besluit neemt: U1 Fraude (nog niet beoordeeld), "
        "U2 Faillissement (nog niet beoordeeld), G1 Kwaliteitsborging (nog niet beoordeeld), "
        "G4 Verantwoorde bedrijfsvoering (nog niet beoordeeld)." in page
    )
    client.post(
        url(application, "beoordelen"), data={f"c{c.id}_mark": "pass" for c in das.criteria}
    )
    response = client.post(
        url(application, "besluit"), data=dict(decision, **{f"lot{second.id}_reason": ""})
    )
    assert response.get_data(as_text=True).count("Geef bij een afwijzing de reden op.") >= 2
    response = client.post(url(application, "besluit"), data=decision)
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state is ApplicationState.SUBMITTED  # waiting for the second reviewer
    assert not any(m["Subject"].startswith("Besluit") for m in mailbox.messages)
    # The provider does not see the proposal.
    provider_client = app.test_client()
    login(provider_client, application.organisation.users[0])
    assert "Geen aanbod in dit perceel" not in provider_client.get(
        f"/aanbieder/aanmeldingen/{application.id}"
    ).get_data(as_text=True)

    # Nobody confirms their own decision.
    page = client.post(
        url(application, "bevestigen"),
        data={"version": str(application.version_id), "password": factories.PASSWORD},
    ).get_data(as_text=True)
    assert "U kunt uw eigen besluit niet bevestigen" in page

    colleague = factories.UserFactory(role=Role.REVIEWER, name="Wendy Tweede")
    factories.assign(colleague, das)
    other = app.test_client()
    login(other, colleague)
    other.post(url(application, "belangenconflict"), data={"has_conflict": "no"})
    response = other.post(
        url(application, "bevestigen"),
        data={"version": str(application.version_id), "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state is ApplicationState.DECIDED
    assert {al.lot_id: al.outcome for al in application.lots} == {
        first.id: LotOutcome.ADMITTED,
        second.id: LotOutcome.REJECTED,
    }
    agreement = db.session.scalar(db.select(FrameworkAgreement))
    assert [al.lot_id for al in agreement.lots] == [first.id]

    # The letter: mailed as an attachment and downloadable by the provider.
    message = mailbox.last_to(application.organisation.users[0].email)
    assert message["Subject"] == f"Besluit op uw aanmelding {application.reference}"
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == f"besluit-{application.reference}.pdf"
    download = provider_client.get(f"/aanbieder/aanmeldingen/{application.id}/besluitbrief")
    assert download.status_code == 200 and download.data == attachment.get_content()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(download.data)).pages)
    assert application.reference in text
    assert "Toegelaten" in text and "Afgewezen" in text
    assert "Geen aanbod in dit perceel" in text
    assert "Bent u het niet eens met dit besluit?" in text


@pytest.mark.real_pdf  # reads the PDF
def test_rejection_letter_lists_failed_criteria(app: Flask, client: FlaskClient, submitted) -> None:
    das, application, _ = submitted
    das.four_eyes = False
    db.session.commit()
    client.post(url(application, "belangenconflict"), data={"has_conflict": "no"})
    marks = {f"c{c.id}_mark": "pass" for c in das.criteria}
    g1 = das.criteria[2]
    marks[f"c{g1.id}_mark"] = "fail"
    marks[f"c{g1.id}_reason"] = "HKZ-certificaat is verlopen"
    client.post(url(application, "beoordelen"), data=marks)
    admit = {"version": str(application.version_id), "password": factories.PASSWORD}
    for lot in das.lots:
        admit[f"lot{lot.id}_outcome"] = "admitted"
    page = client.post(url(application, "besluit"), data=admit).get_data(as_text=True)
    assert "U kunt geen perceel toelaten zolang een eis als" in page
    reject = {"version": str(application.version_id), "password": factories.PASSWORD}
    for lot in das.lots:
        reject[f"lot{lot.id}_outcome"] = "rejected"
        reject[f"lot{lot.id}_reason"] = "Niet voldaan aan G1"
    assert client.post(url(application, "besluit"), data=reject).status_code == 302
    letter = client.get(url(application, "besluitbrief"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert "Eisen waaraan niet is voldaan" in text
    assert "HKZ-certificaat is verlopen" in text


def test_decision_on_a_stale_page_is_refused(app: Flask, client: FlaskClient, submitted) -> None:
    das, application, reviewer = submitted
    factories.prepare_for_decision(application, reviewer, datetime.now(UTC))
    stale = {"version": str(application.version_id), "password": factories.PASSWORD}
    for lot in das.lots:
        stale[f"lot{lot.id}_outcome"] = "admitted"
    colleague = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(colleague, das)
    factories.prepare_for_decision(application, colleague, datetime.now(UTC))
    other = app.test_client()
    login(other, colleague)
    assert other.post(url(application, "besluit"), data=stale).status_code == 302
    page = client.post(
        url(application, "besluit"),
        data=dict(
            stale,
            **{f"lot{das.lots[1].id}_outcome": "rejected", f"lot{das.lots[1].id}_reason": "x"},
        ),
    ).get_data(as_text=True)
    assert "Iemand anders heeft deze aanmelding intussen gewijzigd" in page
    db.session.expire_all()
    assert all(
        al.outcome is LotOutcome.ADMITTED for al in db.session.get(Application, application.id).lots
    )


def test_reviewer_of_another_das_gets_404(app: Flask, client: FlaskClient, submitted) -> None:
    _, application, _ = submitted
    outsider = factories.UserFactory(role=Role.REVIEWER)
    login(client, outsider)
    assert client.get(url(application)).status_code == 404
    document = application.answers[-1].documents[0]
    assert client.get(f"/beoordeling/documenten/{document.id}").status_code == 404
    assert application.reference not in client.get("/beoordeling/").get_data(as_text=True)


def test_queue_is_paginated(app: Flask, client: FlaskClient, submitted) -> None:
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


def test_notes_between_reviewers_never_reach_the_provider(
    app: Flask, client: FlaskClient, submitted, mailbox
) -> None:
    das, application, reviewer = submitted
    client.post(url(application, "belangenconflict"), data={"has_conflict": "no"})
    refused = client.post(url(application, "notities"), data={"about": "", "text": " "})
    assert "Schrijf uw notitie." in refused.get_data(as_text=True)
    response = client.post(
        url(application, "notities"), data={"about": "G4", "text": "Uittreksel lijkt oud"}
    )
    assert response.status_code == 302 and response.location.endswith("#eis-G4")
    client.post(url(application, "notities"), data={"about": "", "text": "Bel eerst even"})
    page = client.get(url(application)).get_data(as_text=True)
    # The G4 note sits in the rows of G4, before the next group; the other above the grid.
    g4_row = page.index('id="eis-G4"')
    assert g4_row < page.index("Uittreksel lijkt oud")
    assert page.index("Bel eerst even") < page.index('id="eis-U1"')
    assert "Notitie van Bram Eerste" in page

    # The provider sees none of it: not on its pages, not in any mail.
    provider = application.organisation.users[0]
    provider_client = app.test_client()
    login(provider_client, provider)
    for path in (
        f"/aanbieder/aanmeldingen/{application.id}",
        "/aanbieder/",
    ):
        text = provider_client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "Uittreksel lijkt oud" not in text and "Bel eerst even" not in text
    assert all("Uittreksel lijkt oud" not in mailbox.body(m) for m in mailbox.messages)
    # Nor a reviewer who declared a conflict of interest: no page, no post.
    conflicted = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(conflicted, das)
    other = app.test_client()
    login(other, conflicted)
    other.post(url(application, "belangenconflict"), data={"has_conflict": "yes"})
    assert "Uittreksel lijkt oud" not in other.get(url(application)).get_data(as_text=True)
    refused = other.post(url(application, "notities"), data={"about": "", "text": "Ik ook"})
    assert refused.status_code == 200
    assert "Ik ook" not in client.get(url(application)).get_data(as_text=True)


def test_only_a_passing_rule_starts_as_voldoet(app: Flask, client: FlaskClient, submitted) -> None:
    das, application, _ = submitted
    u1, u2, g1, g4 = das.criteria
    answer = application.answer_for(u2)
    answer.value, answer.explanation, answer.self_cleaning = True, "In 2019", "Nieuwe directie"
    db.session.commit()
    client.post(url(application, "belangenconflict"), data={"has_conflict": "no"})
    page = client.get(url(application)).get_data(as_text=True)

    def checked(criterion) -> set[str]:
        tags = re.findall(rf'<input[^>]*name="c{criterion.id}_mark"[^>]*>', page)
        assert len(tags) == 2
        return {re.search(r'value="(\w+)"', t).group(1) for t in tags if " checked" in t}

    assert checked(u1) == {"pass"} and checked(g1) == {"pass"}
    assert checked(u2) == set()  # judgement: nothing chosen for the reviewer
    assert "Let op: oordeel nodig" in page
    assert "Nog 4 eisen te beoordelen" in page
    # Saving the page as it is saves the three pre-set ones; U2 stays open and is named.
    data = {f"c{c.id}_mark": "pass" for c in (u1, g1, g4)}
    assert client.post(url(application, "beoordelen"), data=data).status_code == 302
    page = client.get(url(application)).get_data(as_text=True)
    assert "Nog 1 eis te beoordelen" in page and 'href="#eis-U2"' in page
