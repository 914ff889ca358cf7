"""Re-verification: expiring evidence of admitted providers, suspension when an update does not
come in time, and resumption when it does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import AgreementState, EvidenceType, LotOutcome, Role
from portal.services import (
    ServiceError,
    applications,
    calendar,
    declarations,
    reverification,
    review,
)
from portal.services.agreements import agreement_of
from tests import factories

TODAY = date(2027, 6, 1)


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


@pytest.fixture()
def admitted(app: Flask):
    """A provider admitted in March 2027; its KvK extract (6 months) is from 1-1-2027."""
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2027, 1, 1))
    applications.submit(application, provider, moment(date(2027, 3, 1)))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        reviewer,
        moment(date(2027, 3, 2)),
    )
    return das, provider, application, reviewer


def test_lists_expired_and_soon_expiring_evidence(admitted) -> None:
    das, provider, application, reviewer = admitted
    # On 1-6-2027 the KvK extract of 1-1-2027 is valid until 1-7-2027: within 30 days.
    rows = reverification.due_for_reverification(reviewer, TODAY)
    assert len(rows) == 1
    [expiring] = rows[0].documents
    assert expiring.document.evidence_type is EvidenceType.KVK_EXTRACT
    assert expiring.valid_until == date(2027, 7, 1) and not expiring.expired
    assert reverification.due_for_reverification(reviewer, date(2027, 5, 31)) == []
    later = reverification.due_for_reverification(reviewer, date(2027, 7, 2))
    assert later[0].documents[0].expired
    # Another DAS's reviewer sees nothing.
    outsider = factories.UserFactory(role=Role.REVIEWER)
    assert reverification.due_for_reverification(outsider, TODAY) == []


def test_suspend_only_after_an_overdue_request_and_resume_on_update(admitted, mailbox) -> None:
    das, provider, application, reviewer = admitted
    agreement = agreement_of(das.id, provider.organisation_id)
    with pytest.raises(ServiceError) as refused:
        reverification.suspend_admission(reviewer, agreement, "Te laat", moment(TODAY), TODAY)
    assert refused.value.code == "no_overdue_request"

    from flask import current_app

    with current_app.test_request_context():
        declarations.request_update(
            reviewer,
            application,
            "Nieuw KvK-uittreksel graag",
            TODAY + timedelta(days=14),
            moment(TODAY),
        )
    later = TODAY + timedelta(days=15)
    with pytest.raises(ServiceError) as refused:
        reverification.suspend_admission(reviewer, agreement, "", moment(later), later)
    assert refused.value.code == "suspension_reason_required"
    reverification.suspend_admission(
        reviewer, agreement, "Geen actuele verklaring ontvangen", moment(later), later
    )
    assert agreement.state is AgreementState.SUSPENDED
    assert "opgeschort" in mailbox.last_to(provider.email)["Subject"]

    # The provider sends the update; once it is admitted, the agreement is live again.
    factories.upload_pdf(
        provider, EvidenceType.KVK_EXTRACT, later, content=factories.PDF_BYTES + b"nieuw"
    )
    update = applications.start_application(das, provider, update=True)
    applications.submit(update, provider, moment(later))
    factories.decide(
        update,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in update.lots},
        reviewer,
        moment(later + timedelta(days=1)),
    )
    db.session.refresh(agreement)
    # Resumed to where it was: drawn up, waiting for the signatures (none were set here).
    assert agreement.state is AgreementState.AWAITING_SIGNATURE
