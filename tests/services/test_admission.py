"""The thin admission end to end at service level: registration to framework agreement."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from werkzeug.exceptions import NotFound

from portal.extensions import db
from portal.models import (
    AgreementState,
    ApplicationState,
    AuditEvent,
    FrameworkAgreement,
    LotOutcome,
    SizeClass,
)
from portal.services import (
    ServiceError,
    accounts,
    applications,
    calendar,
    ownership,
    review,
    review_queue,
)
from tests import factories


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture()
def das(app):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    return factories.DasFactory()


def test_registration_to_agreement(das) -> None:
    user = accounts.register_provider(
        accounts.Registration(
            legal_name="Praktijk Het Kompas",
            kvk_number="69599084",
            size_class=SizeClass.MICRO,
            user_name="Anna de Vries",
            email="Anna@Example.nl",
            password="een-lang-wachtwoord",
        )
    )
    assert user.email == "anna@example.nl"
    assert accounts.authenticate("anna@example.nl", "een-lang-wachtwoord") == user

    application = factories.complete_draft(das, user, date(2027, 3, 10))
    assert applications.missing_items(application, date(2027, 3, 10)) == []
    # Received Friday 12 March 2027: Good Friday (26 March) and Easter Monday (29 March) do not
    # count, so the 10th working day is Tuesday 30 March 2027.
    applications.submit(application, user, at(2027, 3, 12))
    assert application.state is ApplicationState.SUBMITTED
    assert application.review_deadline == date(2027, 3, 30)
    assert application.reference == f"{das.reference}-{application.id:06d}"

    reviewer = factories.UserFactory()
    factories.assign(reviewer, das)
    found = review_queue.queue(reviewer, date(2027, 3, 15), 3, 1, 25)
    rows, total = found.rows, found.total
    assert total == 1 and rows[0].application == application
    assert rows[0].working_days_left == 9

    decided_at = at(2027, 3, 15)
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        reviewer,
        decided_at,
        application.version_id,
    )
    agreement = db.session.scalar(db.select(FrameworkAgreement))
    assert agreement is not None
    assert (agreement.start_date, agreement.end_date) == (date(2027, 3, 15), date(2029, 12, 31))
    assert agreement.state is AgreementState.AWAITING_SIGNATURE  # until both have signed
    assert {al.lot_id for al in agreement.lots} == {lot.id for lot in das.lots}
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {
        "application.submitted",
        "lot.admitted",
        "application.decided",
        "agreement.created",
    } <= actions


def test_initial_round_admission_starts_with_the_term(das) -> None:
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(das, user, date(2025, 7, 1))
    applications.submit(application, user, at(2025, 7, 1))
    reviewer = factories.UserFactory()
    factories.assign(reviewer, das)
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        reviewer,
        at(2025, 7, 10),
        application.version_id,
    )
    agreement = db.session.scalar(db.select(FrameworkAgreement))
    assert agreement.start_date == date(2026, 1, 1)


def test_reject_one_lot_admit_other(das) -> None:
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(das, user, date(2027, 3, 10))
    applications.submit(application, user, at(2027, 3, 10))
    reviewer = factories.UserFactory()
    factories.assign(reviewer, das)
    first, second = das.lots
    with pytest.raises(ServiceError) as refused:
        factories.decide(
            application,
            {
                first.id: review.LotDecision(LotOutcome.ADMITTED, ""),
                second.id: review.LotDecision(LotOutcome.REJECTED, " "),
            },
            reviewer,
            at(2027, 3, 11),
            application.version_id,
        )
    assert refused.value.code == "reason_required"
    factories.decide(
        application,
        {
            first.id: review.LotDecision(LotOutcome.ADMITTED, ""),
            second.id: review.LotDecision(LotOutcome.REJECTED, "Geen bewijs"),
        },
        reviewer,
        at(2027, 3, 11),
        application.version_id,
    )
    agreement = db.session.scalar(db.select(FrameworkAgreement))
    assert [al.lot_id for al in agreement.lots] == [first.id]


def test_incomplete_draft_cannot_be_submitted(das) -> None:
    user = factories.ProviderUserFactory()
    application = applications.start_application(das, user)
    with pytest.raises(ServiceError) as refused:
        applications.submit(application, user, at(2027, 3, 10))
    assert refused.value.code == "application_incomplete"
    assert application.state is ApplicationState.DRAFT


def test_contributor_cannot_submit(das) -> None:
    admin = factories.ProviderUserFactory()
    contributor = factories.ProviderUserFactory(organisation=admin.organisation, contributor=True)
    application = factories.complete_draft(das, contributor, date(2027, 3, 10))
    with pytest.raises(ServiceError) as refused:
        applications.submit(application, contributor, at(2027, 3, 10))
    assert refused.value.code == "not_allowed_to_submit"


def test_submitting_twice_gives_one_submission(das) -> None:
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(das, user, date(2027, 3, 10))
    applications.submit(application, user, at(2027, 3, 10))
    with pytest.raises(ServiceError) as refused:
        applications.submit(application, user, at(2027, 3, 10, 11))
    assert refused.value.code == "application_not_draft"
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "application.submitted")
        )
        == 1
    )


def test_concurrent_submissions_create_exactly_one(app, das) -> None:
    """Two tabs submit at the same moment, each in its own session and connection."""
    user = factories.ProviderUserFactory()
    application_id = factories.complete_draft(das, user, date(2027, 3, 10)).id
    user_id = user.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def tab() -> None:
        with app.app_context():
            from portal.models import Application, User

            own_user = db.session.get(User, user_id)
            own_application = db.session.get(Application, application_id)
            assert own_application.lots and own_application.answers  # load before racing
            [a.documents for a in own_application.answers]
            barrier.wait()
            try:
                applications.submit(own_application, own_user, at(2027, 3, 10))
                outcomes.append("ok")
            except ServiceError as error:
                outcomes.append(error.code)
            except Exception as error:  # a database-level refusal counts as refused
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "application.submitted")
        )
        == 1
    )


def test_stale_decision_is_refused(das) -> None:
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(das, user, date(2027, 3, 10))
    applications.submit(application, user, at(2027, 3, 10))
    reviewer = factories.UserFactory()
    factories.assign(reviewer, das)
    seen = application.version_id
    decisions = {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots}
    factories.decide(application, decisions, reviewer, at(2027, 3, 11), seen)
    with pytest.raises(ServiceError) as refused:
        review.decide(application, decisions, reviewer, at(2027, 3, 11), seen)
    assert refused.value.code == "application_changed"
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "application.decided")
        )
        == 1
    )


def test_reviewer_sees_only_assigned_das(das) -> None:
    other_das = factories.DasFactory()
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(other_das, user, date(2027, 3, 10))
    applications.submit(application, user, at(2027, 3, 10))
    reviewer = factories.UserFactory()
    factories.assign(reviewer, das)
    found = review_queue.queue(reviewer, date(2027, 3, 10), 3, 1, 25)
    assert (found.rows, found.total) == ([], 0)
    with pytest.raises(NotFound):
        ownership.staff_application(application.id, reviewer)


def test_application_needs_open_das(das) -> None:
    from portal.models import DasState

    das.state = DasState.DRAFT
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        applications.start_application(das, factories.ProviderUserFactory())
    assert refused.value.code == "das_not_open"
    # Closed for new applications (issue 19): refused, saying so.
    das.state = DasState.CLOSED
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        applications.start_application(das, factories.ProviderUserFactory())
    assert refused.value.code == "das_closed"


def test_a_closed_das_still_takes_the_updates_of_admitted_providers(das) -> None:
    """Closing stops new applications; running agreements go on (issue 19), and so does the
    admitted provider's duty to keep its declaration up to date (before: refused as closed)."""
    from portal.models import ApplicationState, DasState, EvidenceType

    provider = factories.ProviderUserFactory()
    factories.admit(das, provider, date(2027, 3, 10))
    das.state = DasState.CLOSED
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        applications.start_application(das, factories.ProviderUserFactory())
    assert refused.value.code == "das_closed"
    later = date(2027, 9, 1)
    factories.upload_pdf(
        provider, EvidenceType.KVK_EXTRACT, later, content=factories.PDF_BYTES + b"nieuw"
    )
    update = applications.start_application(das, provider, update=True)
    applications.submit(update, provider, at(2027, 9, 1))
    assert update.state is ApplicationState.SUBMITTED
