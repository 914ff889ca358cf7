"""The assessment report (beoordelingsrapport, issue 18): written once when a decision becomes
final, stored under its hash, listed in the official report, and readable by the staff who see
the application, never by the provider."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from pypdf import PdfReader

from portal.extensions import db
from portal.infra.storage import get_storage
from portal.models import (
    Application,
    AssessmentReport,
    AuditEvent,
    LotOutcome,
    ReviewMark,
    ReviewNote,
    Role,
    User,
)
from portal.services import (
    ServiceError,
    applications,
    assessment_report,
    calendar,
    reports,
    review,
)
from portal.services.evidence_views import record_view
from tests import factories
from tests.support.app import login

RECEIVED = datetime(2026, 12, 14, 9, tzinfo=UTC)
PROPOSED = datetime(2026, 12, 21, 10, tzinfo=UTC)
CONFIRMED = datetime(2026, 12, 22, 15, tzinfo=UTC)
SECRET_EXPLANATION = "Toelichting op een strafrechtelijke zaak"
NOTE = "Onder ons: bel de aanbieder even over G1"


def report_url(application: Application) -> str:
    return f"/beoordeling/aanmeldingen/{application.id}/beoordelingsrapport"


def reports_of(application: Application) -> list[AssessmentReport]:
    return list(
        db.session.scalars(
            db.select(AssessmentReport).where(AssessmentReport.application_id == application.id)
        )
    )


def events(action: str, application: Application) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == application.id)
        )
        or 0
    )


@pytest.fixture()
def reviewed(app: Flask):
    """An application assessed by Bram (one criterion questioned, answered, and failed with a
    reason; one document opened by him), with a note between the reviewers and an explanation
    on an exclusion ground; Wendy is the second reviewer. The decision is not yet proposed."""
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory(four_eyes=True, name="Jeugdhulp Noord-Limburg")
    provider = factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(
            legal_name="De Bron Jeugdhulp", kvk_number="69599084"
        )
    )
    application = factories.complete_draft(das, provider, date(2026, 12, 1))
    u1 = next(a for a in application.answers if a.criterion.code == "U1")
    u1.explanation = SECRET_EXPLANATION
    db.session.commit()
    applications.submit(application, provider, RECEIVED)
    bram = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    wendy = factories.UserFactory(role=Role.REVIEWER, name="Wendy Tweede")
    factories.assign(bram, das)
    factories.assign(wendy, das)
    review.declare_conflict(application, bram, False, "", RECEIVED + timedelta(hours=1))
    g1_document = next(a for a in application.answers if a.criterion.code == "G1").documents[0]
    record_view(application, g1_document, bram, RECEIVED + timedelta(hours=2))
    db.session.commit()
    clarification = review.ask_clarification(
        application,
        bram,
        "Uw certificaat noemt jeugdhulp niet. Stuur het volledige certificaat.",
        ["G1"],
        date(2027, 1, 8),
        RECEIVED + timedelta(hours=3),
    )
    review.answer_clarification(
        application,
        clarification,
        provider,
        "Het certificaat dekt alleen volwassenenzorg.",
        [],
        RECEIVED + timedelta(days=2),
    )
    factories.prepare_for_decision(application, bram, PROPOSED - timedelta(hours=1))
    g1 = next(c for c in das.criteria if c.code == "G1")
    review.assess(
        application,
        bram,
        {g1.id: review.MarkInput(ReviewMark.FAIL, "Certificaat dekt jeugdhulp niet")},
        PROPOSED - timedelta(minutes=30),
    )
    db.session.add(ReviewNote(application_id=application.id, author_id=bram.id, text=NOTE))
    db.session.commit()
    return das, application, bram, wendy, g1_document


def reject_every_lot(application: Application, reviewer: User, now: datetime) -> None:
    review.propose_decision(
        application,
        {
            al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Niet voldaan aan G1")
            for al in application.lots
        },
        reviewer,
        now,
        application.version_id,
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.real_pdf  # reads the PDF
def test_the_report_of_a_four_eyes_decision(app: Flask, reviewed) -> None:
    das, application, bram, wendy, g1_document = reviewed
    reject_every_lot(application, bram, PROPOSED)
    assert reports_of(application) == []  # a proposal is not yet a decision
    review.declare_conflict(application, wendy, False, "", CONFIRMED - timedelta(minutes=5))
    review.confirm_decision(application, wendy, CONFIRMED, application.version_id)

    [report] = reports_of(application)
    content = get_storage().read_bytes(assessment_report.key_for(report))
    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert assessment_report.read(report) == content
    assert report.filename == f"beoordelingsrapport-{application.reference}.pdf"
    assert events("assessment_report.written", application) == 1

    text = " ".join(pdf_text(content).split())
    for expected in (
        "Beoordelingsrapport",
        application.reference,
        "De Bron Jeugdhulp",
        "69599084",
        "Jeugdhulp Noord-Limburg",
        "1. Individuele begeleiding",
        "14-12-2026",  # received
        # every criterion, its verdict and reason, who assessed
        "U1. Fraude",
        "U2. Faillissement",
        "G1. Kwaliteitsborging",
        "G4. Verantwoorde bedrijfsvoering",
        "Voldoet niet",
        "afwijkend van de toets",
        "Certificaat dekt jeugdhulp niet",
        "Bram Eerste",
        # the evidence considered and who opened it
        g1_document.filename,
        g1_document.sha256[:12],
        "Bram Eerste (14-12-2026 12:00)",  # opened at 11:00 UTC
        "Door niemand geopend",  # the G4 extract
        # the clarification at its criterion and in full
        "Herstelverzoek 1, zie hieronder",
        "Stuur het volledige certificaat.",
        "Het certificaat dekt alleen volwassenenzorg.",
        # the decision per lot with its four-eyes confirmation
        "Afgewezen",
        "Niet voldaan aan G1",
        "Wendy Tweede, 22-12-2026",
        "Vier-ogenprincipe",
        # the conflict declarations
        "Geen belangenconflict",
    ):
        assert expected in text, expected
    assert text.count("Geen belangenconflict") == 2  # Bram and Wendy
    # Working notes and exclusion-ground declarations stay out (services/assessment_report.py).
    assert NOTE not in text
    assert SECRET_EXPLANATION not in text
    assert "werkaantekeningen en staan niet in dit rapport" in text

    # Once per decision: nothing more to confirm, and no second report.
    with pytest.raises(ServiceError):
        review.confirm_decision(application, wendy, CONFIRMED, application.version_id)
    assert len(reports_of(application)) == 1
    assert events("assessment_report.written", application) == 1


def test_without_four_eyes_the_report_says_so(app: Flask, reviewed) -> None:
    das, application, bram, _, _ = reviewed
    das.four_eyes = False
    db.session.commit()
    reject_every_lot(application, bram, PROPOSED)  # takes effect at once
    [report] = reports_of(application)
    with app.test_request_context():
        html = assessment_report.render_html(application, CONFIRMED)
    assert "geen vier-ogen" in html
    assert "Geen vier-ogen: dit aankoopsysteem vraagt geen bevestiging" in html
    assert "Vier-ogenprincipe" not in html
    assert events("assessment_report.written", application) == 1
    assert report.sha256 and len(report.sha256) == 64


def test_the_official_report_lists_each_reports_hash(app: Flask, reviewed) -> None:
    das, application, bram, _, _ = reviewed
    das.four_eyes = False
    db.session.commit()
    undecided = factories.submitted_application(
        das, factories.ProviderUserFactory(), date(2026, 12, 15)
    )
    reject_every_lot(application, bram, PROPOSED)
    [report] = reports_of(application)
    official = reports.official_report(das, date(2026, 12, 1), date(2026, 12, 31))
    by_application = {line.application.id: line.assessment_report for line in official.lines}
    assert by_application == {application.id: report, undecided.id: None}
    with app.test_request_context():
        html = render_template(
            "letters/official_report.html", report=official, das=das, made_on=date(2027, 1, 4)
        )
    assert report.sha256 in html and report.filename in html


# --- who may read it --------------------------------------------------------------------------


def test_staff_who_see_the_application_download_it_others_do_not(
    app: Flask, client: FlaskClient, reviewed
) -> None:
    das, application, bram, wendy, _ = reviewed
    login(client, bram)
    assert client.get(report_url(application)).status_code == 404  # no decision yet
    page_url = f"/beoordeling/aanmeldingen/{application.id}"
    assert "Beoordelingsrapport (PDF)" not in client.get(page_url).get_data(as_text=True)
    das.four_eyes = False
    db.session.commit()
    reject_every_lot(application, bram, PROPOSED)
    [report] = reports_of(application)

    assert f'href="{report_url(application)}"' in client.get(page_url).get_data(as_text=True)
    response = client.get(report_url(application))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == assessment_report.read(report)
    assert "attachment" in response.headers["Content-Disposition"]

    admin = app.test_client()
    login(admin, factories.UserFactory(role=Role.ADMINISTRATOR))
    assert admin.get(report_url(application)).status_code == 200

    # The provider: not its document (the reviewers' blueprint refuses providers).
    provider = app.test_client()
    login(provider, application.organisation.users[0])
    assert provider.get(report_url(application)).status_code == 403
    # A reviewer who declared a conflict of interest on it.
    conflicted = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(conflicted, das)
    review.declare_conflict(application, conflicted, True, "Familie", CONFIRMED)
    other = app.test_client()
    login(other, conflicted)
    assert other.get(report_url(application)).status_code == 403
    # A reviewer of another DAS does not find it.
    outsider = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(outsider, factories.DasFactory())
    stranger = app.test_client()
    login(stranger, outsider)
    assert stranger.get(report_url(application)).status_code == 404
    # A contract manager of the DAS: not a reviewer's document.
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    contracts = app.test_client()
    login(contracts, manager)
    assert contracts.get(report_url(application)).status_code == 403
