"""Applications after the first: renewal after a rejection, more lots once admitted; the frozen
snapshot, the receipt e-mail, and evidence age."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from portal.domain.eligibility import Gap
from portal.extensions import db
from portal.models import ApplicationKind, EvidenceType, LotOutcome
from portal.services import ServiceError, applications, calendar, provider_lists, review
from tests import factories


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, tzinfo=UTC)


@pytest.fixture()
def das(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    return factories.DasFactory()


def decide_all(application, outcome: LotOutcome, when: datetime) -> None:
    reviewer = factories.UserFactory()
    factories.assign(reviewer, application.das)
    reason = "" if outcome is LotOutcome.ADMITTED else "Certificaat ontbreekt"
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(outcome, reason) for al in application.lots},
        reviewer,
        when,
        application.version_id,
    )


def test_products_choose_the_lots(das) -> None:
    user = factories.ProviderUserFactory()
    application = applications.start_application(das, user)
    product = das.lots[1].products[0]
    applications.save_products(application, [product.id], user)
    assert [al.lot_id for al in application.lots] == [das.lots[1].id]
    assert application.products == [product]
    applications.save_products(application, [], user)
    assert application.lots == []
    other_das = factories.DasFactory()
    with pytest.raises(ServiceError) as refused:
        applications.save_products(application, [other_das.lots[0].products[0].id], user)
    assert refused.value.code == "unknown_product"


def test_renewal_after_rejection_starts_from_previous_answers(das) -> None:
    user = factories.ProviderUserFactory()
    first = factories.complete_draft(das, user, date(2027, 3, 1))
    applications.submit(first, user, at(2027, 3, 1))
    decide_all(first, LotOutcome.REJECTED, at(2027, 3, 2))

    second = applications.start_application(das, user)
    assert second.kind is ApplicationKind.RENEWED
    assert second.previous_application == first
    assert {al.lot_id for al in second.lots} == {al.lot_id for al in first.lots}
    assert second.products == first.products
    copied = {a.criterion_id: (a.value, [d.id for d in a.documents]) for a in second.answers}
    original = {a.criterion_id: (a.value, [d.id for d in a.documents]) for a in first.answers}
    assert copied == original
    # Nothing is missing: the provider corrects what was wrong and submits again.
    assert applications.missing_items(second, date(2027, 3, 3)) == []
    applications.submit(second, user, at(2027, 3, 3))


def test_admitted_provider_applies_for_more_lots(das) -> None:
    user = factories.ProviderUserFactory()
    first_lot, second_lot = das.lots
    first = factories.complete_draft(das, user, date(2027, 3, 1), lots=[first_lot])
    applications.submit(first, user, at(2027, 3, 1))
    decide_all(first, LotOutcome.ADMITTED, at(2027, 3, 2))

    more = applications.start_application(das, user)
    assert more.kind is ApplicationKind.MORE_LOTS
    assert more.lots == [] and len(more.answers) == len(das.criteria)
    with pytest.raises(ServiceError) as refused:
        applications.save_products(more, [first_lot.products[0].id], user)
    assert refused.value.code == "lot_already_admitted"
    applications.save_products(more, [second_lot.products[0].id], user)
    # The reused documents cover the new lot (tests/services/test_application_reuse.py).
    applications.submit(more, user, at(2027, 4, 1), covers_new_lots=True)
    decide_all(more, LotOutcome.ADMITTED, at(2027, 4, 2))

    from portal.services.agreements import agreement_of

    agreement = agreement_of(das.id, user.organisation_id)
    assert {al.lot_id for al in agreement.lots} == {first_lot.id, second_lot.id}
    assert agreement.start_date == date(2027, 3, 2)  # one agreement; the new lot is added
    with pytest.raises(ServiceError) as refused:
        applications.start_application(das, user)
    assert refused.value.code == "all_lots_admitted"


def test_one_open_application_per_das(das) -> None:
    user = factories.ProviderUserFactory()
    draft = applications.start_application(das, user)
    assert applications.start_application(das, user) == draft
    colleague = factories.ProviderUserFactory(organisation=user.organisation, contributor=True)
    assert applications.start_application(das, colleague) == draft
    factories.complete_draft(das, user, date(2027, 3, 1))
    applications.submit(draft, user, at(2027, 3, 1))
    with pytest.raises(ServiceError) as refused:
        applications.start_application(das, user)
    assert refused.value.code == "application_in_review"


def test_submission_freezes_a_snapshot_and_mails_a_receipt(das, mailbox) -> None:
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(das, user, date(2027, 3, 1))
    applications.submit(application, user, at(2027, 3, 1))
    snapshot = application.snapshot
    assert snapshot["declared_by"]["email"] == user.email
    assert snapshot["organisation"]["kvk_number"] == user.organisation.kvk_number
    assert [lot["code"] for lot in snapshot["lots"]] == ["1", "2"]
    g1 = next(a for a in snapshot["answers"] if a["code"] == "G1")
    assert g1["value"] is True and g1["documents"][0]["sha256"]

    # Later changes to the organisation do not change what was submitted.
    user.organisation.legal_name = "Nieuwe naam B.V."
    db.session.commit()
    db.session.refresh(application)
    assert application.snapshot["organisation"]["legal_name"] != "Nieuwe naam B.V."

    message = mailbox.last_to(user.email)
    assert message["Subject"] == f"Ontvangstbevestiging aanmelding {application.reference}"
    body = mailbox.body(message)
    assert application.reference in body
    assert application.review_deadline.strftime("%d-%m-%Y") in body


def test_evidence_older_than_its_limit_blocks_submission(das) -> None:
    user = factories.ProviderUserFactory()
    application = factories.complete_draft(das, user, date(2026, 8, 1))
    # The KvK extract (G4, at most 6 months) was issued 1-8-2026: fine until 1-2-2027.
    assert applications.missing_items(application, date(2027, 2, 1)) == []
    missing = applications.missing_items(application, date(2027, 2, 2))
    assert [(m.code, m.gap, m.max_age_months) for m in missing] == [("G4", Gap.EVIDENCE_TOO_OLD, 6)]
    with pytest.raises(ServiceError) as refused:
        applications.submit(application, user, at(2027, 2, 2))
    assert refused.value.code == "application_incomplete"


def test_expiring_documents(das) -> None:

    user = factories.ProviderUserFactory()
    soon = factories.upload_pdf(
        user,
        EvidenceType.INSURANCE_POLICY,
        date(2026, 1, 1),
        date(2027, 1, 10),
        content=factories.PDF_BYTES + b"1",
    )
    factories.upload_pdf(
        user,
        EvidenceType.INSURANCE_POLICY,
        date(2026, 1, 1),
        date(2027, 6, 1),
        content=factories.PDF_BYTES + b"2",
    )
    kvk = factories.upload_pdf(
        user, EvidenceType.KVK_EXTRACT, date(2026, 6, 20), content=factories.PDF_BYTES + b"3"
    )
    expiring = provider_lists.expiring_documents(user.organisation_id, date(2026, 11, 22), 60)
    assert {(e.document.id, e.valid_until) for e in expiring} == {
        (soon.id, date(2027, 1, 10)),
        (kvk.id, date(2026, 12, 20)),  # 6 months after issue
    }
