"""Decision letters, assessment reports and agreements rendered by jobs (issue 20): the change
that calls for a document commits without rendering it; a job renders it from the committed
state, fills its row and (for a letter) queues the mail with the PDF; a retried job does
nothing more; and the pages answer "being made" in the moment between.

The tests' queue runs a job right after the commit (immediate mode); to see the moment between,
the `held` fixture (tests/support/document_jobs.py) holds the render jobs back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    Application,
    AssessmentReport,
    AuditEvent,
    ConflictDeclaration,
    DecisionLetter,
    FrameworkAgreement,
    LotOutcome,
    Role,
)
from portal.services import (
    agreements,
    assessment_report,
    audit,
    calendar,
    documents,
    letters,
    pending_documents,
    reports,
    review,
)
from portal.services.evidence_views import record_view
from tests import factories
from tests.factories import at
from tests.support import document_jobs
from tests.support.app import login
from tests.support.document_jobs import run_held

held = document_jobs.held  # the fixture
DAY = date(2027, 3, 15)
DECIDED = at(DAY, 15)
WAITING = "Het document wordt gemaakt; probeer het over een minuut opnieuw."


@pytest.fixture()
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every PDF drawn up (the stand-in renderer still draws it)."""
    drawn: list[str] = []
    render = documents.render_pdf

    def counting(html: str) -> bytes:
        drawn.append(html)
        return render(html)

    monkeypatch.setattr(documents, "render_pdf", counting)
    return drawn


@pytest.fixture()
def setting(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2030))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    application = factories.submitted_application(das, provider, DAY - timedelta(days=7))
    return das, provider, reviewer, application


def decide(application: Application, reviewer) -> None:
    factories.decide(
        application,
        {
            al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Niet voldaan")
            for al in application.lots
        },
        reviewer,
        DECIDED,
    )


def letter_row(application: Application) -> DecisionLetter:
    [row] = db.session.scalars(
        db.select(DecisionLetter).where(DecisionLetter.application_id == application.id)
    ).all()
    return row


def report_row(application: Application) -> AssessmentReport:
    [row] = db.session.scalars(
        db.select(AssessmentReport).where(AssessmentReport.application_id == application.id)
    ).all()
    return row


def events(action: str, object_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == object_id
            )
        )
    )


def decision_mails(mailbox, provider) -> list[Any]:
    return [m for m in mailbox.to(provider.email) if "Besluit op uw aanmelding" in m["Subject"]]


def assert_waiting(response) -> None:
    assert response.status_code == 202
    assert response.headers["Retry-After"] == "60"
    assert response.mimetype == "text/html"
    assert WAITING in response.get_data(as_text=True)


def test_the_decision_commits_without_rendering_and_the_job_renders_and_mails(
    app: Flask, client: FlaskClient, setting, held, renders, mailbox
) -> None:
    das, provider, reviewer, application = setting
    decide(application, reviewer)

    # Committed: the application is decided, its letter and report recorded, nothing drawn up.
    db.session.expire_all()
    assert db.session.get(Application, application.id).decided_at is not None
    letter, report = letter_row(application), report_row(application)
    assert not letter.is_rendered and letter.sha256 == ""
    assert not report.is_rendered and report.sha256 == ""
    assert renders == []
    assert [job for job, _ in held] == [letters.render_letter, assessment_report.render_report]
    assert decision_mails(mailbox, provider) == []  # the mail waits for its attachment
    assert events("assessment_report.written", application.id) == []

    # The pages say it is being made, not an error.
    login(client, provider)
    assert_waiting(client.get(f"/aanbieder/aanmeldingen/{application.id}/besluitbrief"))
    login(client, reviewer)
    assert_waiting(client.get(f"/beoordeling/aanmeldingen/{application.id}/besluitbrief"))
    assert_waiting(client.get(f"/beoordeling/aanmeldingen/{application.id}/beoordelingsrapport"))
    # The proces-verbaal lists the report without a hash yet.
    with app.test_request_context():
        official = reports.official_report(das, DAY - timedelta(days=30), DAY)
        html = render_template(
            "letters/official_report.html", report=official, das=das, made_on=DAY
        )
    assert "wordt nog gemaakt" in html

    run_held(held)

    db.session.expire_all()
    letter, report = letter_row(application), report_row(application)
    assert letter.is_rendered and len(letter.sha256) == 64
    assert report.is_rendered and len(report.sha256) == 64
    assert len(renders) == 2
    # Dated the decision's day (in Dutch), not the day the job ran.
    assert "15 maart 2027" in renders[0]
    [mail] = decision_mails(mailbox, provider)
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == letter.filename
    assert attachment.get_content() == letters.read(letter)
    [written] = events("assessment_report.written", application.id)
    assert written.details["sha256"] == report.sha256
    assert written.actor_id == reviewer.id  # the decision's, as when it was written with it

    response = client.get(f"/beoordeling/aanmeldingen/{application.id}/besluitbrief")
    assert response.status_code == 200 and response.data == letters.read(letter)
    login(client, provider)
    response = client.get(f"/aanbieder/aanmeldingen/{application.id}/besluitbrief")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_a_retried_job_renders_and_mails_once(app: Flask, setting, held, renders, mailbox) -> None:
    das, provider, reviewer, application = setting
    decide(application, reviewer)
    retries = list(held)
    run_held(held)
    db.session.expire_all()
    letter, report = letter_row(application), report_row(application)
    first = (letter.sha256, letter.rendered_at, report.sha256, report.rendered_at)
    assert len(renders) == 2 and len(decision_mails(mailbox, provider)) == 1

    run_held(retries)  # the same jobs again: a retry after a lost acknowledgement
    assert letters.render(letter.id, DECIDED + timedelta(hours=1)) is False
    assert assessment_report.render(report.id, DECIDED + timedelta(hours=1)) is False

    db.session.expire_all()
    letter, report = letter_row(application), report_row(application)
    assert (letter.sha256, letter.rendered_at, report.sha256, report.rendered_at) == first
    assert len(renders) == 2  # not drawn up again
    assert len(decision_mails(mailbox, provider)) == 1
    assert len(events("assessment_report.written", application.id)) == 1


def test_the_report_rendered_later_holds_what_the_decision_saw(
    app: Flask, setting, held, renders
) -> None:
    """Evidence opened and a conflict declared after the decision, before the job ran, stay out
    of the report: it is dated, and shows, the decision."""
    das, provider, reviewer, application = setting
    decide(application, reviewer)
    latecomer = factories.UserFactory(role=Role.REVIEWER, name="Late Lezer")
    factories.assign(latecomer, das)
    document = next(d for a in application.answers for d in a.documents)
    record_view(application, document, latecomer, DECIDED + timedelta(hours=1))
    db.session.add(
        ConflictDeclaration(
            application_id=application.id,
            user_id=latecomer.id,
            has_conflict=False,
            declared_at=DECIDED + timedelta(hours=1),
        )
    )
    db.session.commit()
    run_held(held)
    [report_html] = [html for html in renders if "Beoordelingsrapport" in html]
    assert reviewer.name in report_html
    assert "Late Lezer" not in report_html
    assert "15-03-2027" in report_html  # the decision's day


def test_of_two_runs_that_both_rendered_only_one_fills_the_row(app: Flask, setting, held) -> None:
    """Two workers that both read the letter as pending: the guarded UPDATE lets one fill it."""
    das, provider, reviewer, application = setting
    decide(application, reviewer)
    letter = letter_row(application)
    pending = DecisionLetter.rendered_at.is_(None)
    assert documents.fill_once(
        DecisionLetter, letter.id, pending, sha256="a" * 64, rendered_at=DECIDED
    )
    assert not documents.fill_once(
        DecisionLetter, letter.id, pending, sha256="b" * 64, rendered_at=DECIDED
    )
    db.session.commit()
    assert letter_row(application).sha256 == "a" * 64


def test_agreement_pdfs_are_rendered_by_a_job_and_the_hash_audited_after(
    app: Flask, client: FlaskClient, setting, held, renders
) -> None:
    das, provider, reviewer, application = setting
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    factories.prepare_for_decision(application, reviewer, DECIDED)
    review.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        reviewer,
        DECIDED,
        application.version_id,
    )
    agreement = agreements.agreement_of(das.id, provider.organisation_id)
    assert agreement is not None and agreement.document_pending
    assert agreement.document_sha256 == "" and renders == []
    pdf_urls = (
        (provider, f"/aanbieder/overeenkomsten/{agreement.id}/pdf"),
        (admin, f"/contracten/{agreement.id}/pdf"),
    )
    for user, url in pdf_urls:
        login(client, user)
        assert_waiting(client.get(url))

    run_held(held)  # the letter, the report and the agreement
    assert len(renders) == 3
    db.session.expire_all()
    agreement = db.session.get(FrameworkAgreement, agreement.id)
    assert not agreement.document_pending and len(agreement.document_sha256) == 64
    for user, url in pdf_urls:
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"

    agreements.sign(agreement, provider, factories.PASSWORD, "10.0.0.1", at(DAY, 16))
    agreements.countersign(agreement, admin, factories.PASSWORD, "10.0.0.2", at(DAY, 17))
    db.session.expire_all()
    agreement = db.session.get(FrameworkAgreement, agreement.id)
    assert agreement.document_pending and agreement.signed_document_sha256 == ""
    assert len(renders) == 3
    [countersigned] = events("agreement.countersigned", agreement.id)
    assert "signed_sha256" not in countersigned.details
    login(client, provider)
    assert_waiting(client.get(f"/aanbieder/overeenkomsten/{agreement.id}/pdf"))

    run_held(held)
    run_held([(agreements.render_agreement, (agreement.id,))])  # a retry: nothing more
    db.session.expire_all()
    agreement = db.session.get(FrameworkAgreement, agreement.id)
    assert not agreement.document_pending and len(agreement.signed_document_sha256) == 64
    [stored] = events("agreement.signed_document_stored", agreement.id)
    assert stored.details["signed_sha256"] == agreement.signed_document_sha256
    content, filename = agreements.document(agreement)
    assert filename.startswith("raamovereenkomst-ondertekend-")
    assert len(renders) == 4 and "10.0.0.2" in renders[-1]  # once, as countersigned
    # The trail still agrees with the agreements, the lot outcomes and itself.
    assert audit.verify().intact


def test_the_sweep_gives_forgotten_documents_a_job(
    app: Flask, setting, held, renders, mailbox
) -> None:
    das, provider, reviewer, application = setting
    decide(application, reviewer)
    held.clear()  # the jobs were lost (the queue was down at the commit)
    assert pending_documents.sweep(DECIDED + timedelta(minutes=1)) == 0  # within the grace
    assert renders == []
    assert pending_documents.sweep(DECIDED + timedelta(minutes=10)) == 2
    db.session.expire_all()
    assert letter_row(application).is_rendered and report_row(application).is_rendered
    assert len(decision_mails(mailbox, provider)) == 1
    assert pending_documents.sweep(DECIDED + timedelta(minutes=20)) == 0
