"""What a provider and a reviewer see of answers carried from another region's DAS (issue 22)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.infra.timeutil import now
from portal.models import (
    Application,
    ApplicationState,
    CriterionKind,
    EvidenceType,
)
from portal.services import applications, calendar
from tests import factories
from tests.support.app import login

CHECKED = "Ik heb de overgenomen antwoorden en documenten gecontroleerd; ze zijn juist en actueel."


@pytest.fixture()
def regions(app: Flask):
    """A provider that applied in the north (fraud, bankruptcy, a KvK extract) and is starting
    in the south, whose DAS asks the same grounds and one of its own."""
    today = date.today()
    calendar.ensure_statutory_holidays(range(today.year - 1, today.year + 2))
    db.session.commit()
    north = factories.DasFactory(name="Jeugdhulp Noord")
    south = factories.DasFactory(name="Jeugdhulp Zuid")
    for das in (north, south):
        g4 = next(c for c in das.criteria if c.code == "G4")
        g4.espd_codes = "trade-regist"
    factories.add_criterion(
        south,
        "G9",
        CriterionKind.SUITABILITY,
        title="Vestiging in de regio",
        question="Heeft u een vestiging in de regio?",
        position=9,
    )
    db.session.commit()
    provider = factories.ProviderUserFactory()
    earlier = factories.submitted_application(north, provider, today - timedelta(days=10))
    db.session.refresh(south)
    return north, south, provider, earlier


def start(client: FlaskClient, das) -> Application:
    response = client.post(f"/aanbieder/das/{das.slug}/aanmelden")
    application = db.session.scalar(
        db.select(Application).where(
            Application.das_id == das.id, Application.state == ApplicationState.DRAFT
        )
    )
    assert application is not None
    assert response.location == f"/aanbieder/aanmeldingen/{application.id}/percelen"
    return application


def test_the_provider_sees_what_came_along_and_from_where(client: FlaskClient, regions) -> None:
    north, south, provider, earlier = regions
    login(client, provider)
    draft = start(client, south)
    received = (earlier.received_at or now()).strftime("%d-%m-%Y")
    source = f"uw aanmelding voor Jeugdhulp Noord ({earlier.reference}) van {received}"
    summary = (
        f"2 van 2 uitsluitingsgronden en 1 van 3 geschiktheidseisen zijn overgenomen uit {source}."
    )
    lots = client.get(f"/aanbieder/aanmeldingen/{draft.id}/percelen").get_data(as_text=True)
    assert summary in lots  # the start's message
    overview = client.get(f"/aanbieder/aanmeldingen/{draft.id}").get_data(as_text=True)
    assert summary in overview
    per_answer = f"Overgenomen uit {source}."
    exclusion = client.get(f"/aanbieder/aanmeldingen/{draft.id}/uitsluitingsgronden").get_data(
        as_text=True
    )
    assert exclusion.count(per_answer) == 2
    suitability = client.get(f"/aanbieder/aanmeldingen/{draft.id}/geschiktheidseisen").get_data(
        as_text=True
    )
    g4 = suitability[suitability.index('id="criterium-G4"') :]
    assert per_answer in g4[: g4.index("</section>")]
    g1 = suitability[suitability.index('id="criterium-G1"') :]
    assert "Overgenomen" not in g1[: g1.index("</section>")]  # G1 names no ESPD code


def complete_the_rest(client: FlaskClient, draft: Application, south, provider) -> None:
    """Lots, and the two suitability criteria the north did not answer the same way."""
    client.post(
        f"/aanbieder/aanmeldingen/{draft.id}/percelen",
        data={"products": [str(south.lots[0].products[0].id)]},
    )
    g1, g9 = (next(c for c in south.criteria if c.code == code) for code in ("G1", "G9"))
    g4 = next(c for c in south.criteria if c.code == "G4")
    certificate = next(
        d for a in draft.answers for d in a.documents if a.criterion_id == g4.id
    )  # the KvK extract came along
    assert certificate.evidence_type.value == "kvk_uittreksel"
    quality = factories.upload_pdf(
        provider, EvidenceType.QUALITY_CERTIFICATE, date.today(), content=factories.PDF_BYTES + b"q"
    )
    applications.save_answers(
        draft,
        {
            g1.id: applications.AnswerInput(True, document_ids=(quality.id,)),
            g9.id: applications.AnswerInput(True),
        },
        provider,
    )


def test_submitting_needs_the_check_of_what_came_along(client: FlaskClient, regions) -> None:
    north, south, provider, earlier = regions
    login(client, provider)
    draft = start(client, south)
    complete_the_rest(client, draft, south, provider)
    base = f"/aanbieder/aanmeldingen/{draft.id}"
    page = client.get(f"{base}/indienen").get_data(as_text=True)
    assert "Overgenomen antwoorden" in page
    for code in ("U1", "U2", "G4"):
        assert f"#criterium-{code}" in page
    assert CHECKED in page

    refused = client.post(f"{base}/indienen", data={"declaration": "y"}).get_data(as_text=True)
    assert "Bevestig dat u de overgenomen antwoorden en documenten heeft gecontroleerd" in refused
    db.session.expire_all()
    assert db.session.get(Application, draft.id).is_draft

    response = client.post(f"{base}/indienen", data={"declaration": "y", "carried_checked": "y"})
    assert response.status_code == 302
    submitted = db.session.get(Application, draft.id)
    assert submitted.state is ApplicationState.SUBMITTED
    assert submitted.snapshot["carried_confirmation"]["criteria"] == ["U1", "U2", "G4"]

    # The reviewer sees per answer where it came from, and a summary line.
    reviewer = factories.UserFactory()
    factories.assign(reviewer, south)
    login(client, reviewer)
    review = client.get(f"/beoordeling/aanmeldingen/{draft.id}").get_data(as_text=True)
    received = earlier.received_at.strftime("%d-%m-%Y")
    line = (
        f"Overgenomen uit de aanmelding bij Jeugdhulp Noord ({earlier.reference}) van {received}."
    )
    assert review.count(line) == 3
    row = review[review.index('id="eis-G4"') :]
    assert line in row[: row.index("</tr>")]
    assert "3 van 5 antwoorden zijn overgenomen uit een aanmelding bij een ander" in review
    assert "De aanbieder heeft bij het indienen bevestigd" in review


def test_a_changed_answer_is_the_providers_own(client: FlaskClient, regions) -> None:
    north, south, provider, earlier = regions
    login(client, provider)
    draft = start(client, south)
    complete_the_rest(client, draft, south, provider)
    u1, u2, g4 = (next(c for c in south.criteria if c.code == code) for code in ("U1", "U2", "G4"))
    # The provider answers the grounds again on the page, and chooses the KvK extract again.
    kvk = next(d for a in draft.answers for d in a.documents if a.criterion_id == g4.id)
    applications.save_answers(
        draft,
        {
            u1.id: applications.AnswerInput(False, "Nagekeken"),
            u2.id: applications.AnswerInput(False, "Nagekeken"),
            g4.id: applications.AnswerInput(True, "Nagekeken", document_ids=(kvk.id,)),
        },
        provider,
    )
    base = f"/aanbieder/aanmeldingen/{draft.id}"
    page = client.get(f"{base}/indienen").get_data(as_text=True)
    assert "Overgenomen antwoorden" not in page and CHECKED not in page
    assert client.post(f"{base}/indienen", data={"declaration": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, draft.id).state is ApplicationState.SUBMITTED


def test_a_first_application_starts_on_the_overview(client: FlaskClient, regions) -> None:
    """Nothing to carry: the start lands on the task list as before."""
    north, south, provider, earlier = regions
    newcomer = factories.ProviderUserFactory()
    login(client, newcomer)
    response = client.post(f"/aanbieder/das/{south.slug}/aanmelden")
    assert response.location.endswith(
        str(db.session.scalar(db.select(Application.id).where(Application.das_id == south.id)))
    )


def test_answers_from_an_espd_are_named_and_confirmed_too(client: FlaskClient, regions) -> None:
    """E4's import marks answers with the ESPD they came from; the submit page names it, and the
    snapshot keeps the import, file name, document UUID and issue date."""
    from portal.models import EspdImport, ReuseSource

    north, south, provider, earlier = regions
    login(client, provider)
    draft = start(client, south)
    complete_the_rest(client, draft, south, provider)
    espd = EspdImport(
        organisation_id=provider.organisation_id,
        application_id=draft.id,
        imported_by_id=provider.id,
        filename="uea-tenderned.xml",
        sha256="0" * 64,
        document_uuid="3f1c-uea",
        issue_date=date(2027, 2, 14),
        summary={},
    )
    db.session.add(espd)
    u1 = next(c for c in south.criteria if c.code == "U1")
    answer = draft.answer_for(u1)
    answer.reused_source = ReuseSource.ESPD
    answer.reused_from_application = None
    answer.reused_from_espd = espd
    db.session.commit()
    base = f"/aanbieder/aanmeldingen/{draft.id}"
    page = client.get(f"{base}/indienen").get_data(as_text=True)
    assert "Overgenomen uit het ESPD uea-tenderned.xml van 14-02-2027." in page
    assert "zijn overgenomen uit eerdere verklaringen:" in page
    client.post(f"{base}/indienen", data={"declaration": "y", "carried_checked": "y"})
    submitted = db.session.get(Application, draft.id)
    assert submitted.state is ApplicationState.SUBMITTED
    u1_answer = next(a for a in submitted.snapshot["answers"] if a["code"] == "U1")
    assert u1_answer["reused_from"]["source"] == "espd"
    assert u1_answer["reused_from"]["espd_import_id"] == espd.id
    assert u1_answer["reused_from"]["filename"] == "uea-tenderned.xml"
    assert u1_answer["reused_from"]["document_uuid"] == "3f1c-uea"
    assert u1_answer["reused_from"]["issue_date"] == "2027-02-14"
