"""Framework agreements for their whole life."""

from __future__ import annotations

import io
import os
import threading
from datetime import UTC, date, timedelta

import pytest
from flask import Flask
from pypdf import PdfReader

from portal.extensions import db
from portal.models import (
    AgreementState,
    AgreementVariation,
    Das,
    EndDateChange,
    Role,
    User,
    VariationKind,
)
from portal.services import ServiceError, agreements, calendar, tariffs
from tests import factories
from tests.factories import admit, at


@pytest.fixture()
def setting(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2030))
    db.session.commit()
    das = factories.DasFactory(requires_processing_agreement=True)
    provider = factories.ProviderUserFactory(organisation__signatory_name="Gebruiker X")
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    return das, provider, admin


@pytest.mark.real_pdf  # reads the PDF
def test_drawn_up_on_admission_then_signed_and_countersigned(setting, mailbox) -> None:
    das, provider, admin = setting
    agreement = admit(das, provider, date(2027, 3, 15))
    assert agreement.state is AgreementState.AWAITING_SIGNATURE
    assert (agreement.start_date, agreement.end_date) == (date(2027, 3, 15), date(2029, 12, 31))
    content, filename = agreements.document(agreement)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert agreement.reference in text and "31-12-2029" in text and "15-03-2027" in text
    assert "verwerkersovereenkomst" in text.lower()

    with pytest.raises(ServiceError) as refused:
        agreements.countersign(
            agreement, admin, factories.PASSWORD, "10.0.0.2", at(date(2027, 3, 16))
        )
    assert refused.value.code == "provider_has_not_signed"
    contributor = factories.ProviderUserFactory(
        organisation=provider.organisation, contributor=True
    )
    with pytest.raises(ServiceError) as refused:
        agreements.sign(
            agreement, contributor, factories.PASSWORD, "10.0.0.1", at(date(2027, 3, 16))
        )
    assert refused.value.code == "not_a_signatory"
    with pytest.raises(ServiceError) as refused:
        agreements.sign(agreement, provider, "fout-wachtwoord", "10.0.0.1", at(date(2027, 3, 16)))
    assert refused.value.code == "wrong_password"
    stranger = factories.ProviderUserFactory()
    with pytest.raises(ServiceError):
        agreements.sign(agreement, stranger, factories.PASSWORD, "10.0.0.1", at(date(2027, 3, 16)))

    agreements.sign(agreement, provider, factories.PASSWORD, "10.0.0.1", at(date(2027, 3, 16)))
    assert agreement.provider_signed_ip == "10.0.0.1" and agreement.provider_signed_name
    agreements.countersign(agreement, admin, factories.PASSWORD, "10.0.0.2", at(date(2027, 3, 17)))
    assert agreement.state is AgreementState.LIVE
    signed, filename = agreements.document(agreement)
    assert filename.startswith("raamovereenkomst-ondertekend-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(signed)).pages)
    assert "10.0.0.1" in text and "10.0.0.2" in text
    assert "is ondertekend" in mailbox.last_to(provider.email)["Subject"]


def test_a_changed_signed_pdf_is_refused(app: Flask, setting) -> None:
    das, provider, admin = setting
    agreement = admit(das, provider, date(2027, 3, 15), live=True)
    sha = agreement.signed_document_sha256
    path = os.path.join(app.config["EVIDENCE_DIR"], "agreements", sha[:2], sha)
    with open(path, "ab") as handle:
        handle.write(b"% tampered")
    with pytest.raises(ServiceError) as refused:
        agreements.document(agreement)
    assert refused.value.code == "document_changed"


def test_options_move_live_agreements_only(setting, mailbox) -> None:
    das, provider, admin = setting
    live = admit(das, provider, date(2027, 3, 15))
    suspended = admit(das, factories.ProviderUserFactory(), date(2027, 4, 1), suspended=True)
    ended = admit(das, factories.ProviderUserFactory(), date(2027, 4, 1))
    agreements.change_state(admin, ended, AgreementState.ENDED, "Failliet", date(2027, 5, 1))
    assert ended.end_date == date(2027, 5, 1)

    assert agreements.exercise_option(admin, das, date(2029, 6, 1), at(date(2029, 6, 1))) == date(
        2032, 12, 31
    )
    assert das.common_end_date == date(2032, 12, 31)
    assert live.end_date == date(2032, 12, 31)
    assert suspended.end_date == date(2029, 12, 31)
    assert ended.end_date == date(2027, 5, 1)
    variation = db.session.scalar(
        db.select(AgreementVariation).where(AgreementVariation.kind == VariationKind.END_DATE)
    )
    assert variation.agreement_id == live.id
    assert "31-12-2032" in mailbox.body(mailbox.last_to(provider.email))

    with pytest.raises(ServiceError) as refused:
        agreements.exercise_option(admin, das, date(2033, 1, 1), at(date(2033, 1, 1)))
    assert refused.value.code == "option_too_late"
    assert agreements.exercise_option(admin, das, date(2032, 6, 1), at(date(2032, 6, 1))) == date(
        2035, 12, 31
    )
    with pytest.raises(ServiceError) as refused:
        agreements.exercise_option(admin, das, date(2035, 6, 1), at(date(2035, 6, 1)))
    assert refused.value.code == "no_option_left"
    history = agreements.end_date_history(das.id)
    assert [(c.old_end, c.new_end) for c in history] == [
        (date(2029, 12, 31), date(2032, 12, 31)),
        (date(2032, 12, 31), date(2035, 12, 31)),
    ]
    assert len(agreements.end_date_history(das.id, live.id)) == 2


def test_two_administrators_exercise_an_option_at_once(app: Flask, setting) -> None:
    das, provider, admin = setting
    admit(das, provider, date(2027, 3, 15))
    second = factories.UserFactory(role=Role.ADMINISTRATOR)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def exercise(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            own = db.session.get(Das, das.id)
            assert own.common_end_date  # load before racing
            barrier.wait()
            try:
                agreements.exercise_option(user, own, date(2029, 6, 1), at(date(2029, 6, 1)))
                results.append("ok")
            except ServiceError as error:
                results.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=exercise, args=(u,)) for u in (admin.id, second.id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["changed_meanwhile", "ok"], results
    db.session.expire_all()
    assert db.session.get(Das, das.id).extension_options_exercised == 1
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(EndDateChange)
            .where(EndDateChange.agreement_id.is_(None))
        )
        == 1
    )


def test_more_lots_and_new_tariffs_are_variations_to_accept(setting) -> None:
    das, provider, admin = setting
    first, second = das.lots
    agreement = admit(das, provider, date(2027, 3, 15), lots=[first])
    agreements.sign(agreement, provider, factories.PASSWORD, "1.1.1.1", at(date(2027, 3, 16)))
    agreements.countersign(agreement, admin, factories.PASSWORD, "2.2.2.2", at(date(2027, 3, 16)))
    admit(das, provider, date(2027, 5, 3))  # the remaining lot
    tariffs.publish_base(
        admin,
        das,
        2027,
        {p.id: 10_000 for lot in das.lots for p in lot.products},
        at(date(2027, 6, 1)),
    )
    kinds = [v.kind for v in agreements.variations_of(agreement)]
    assert kinds == [VariationKind.LOTS_ADDED, VariationKind.TARIFFS]
    variation = agreements.variations_of(agreement)[0]
    agreements.accept_variation(provider, variation, at(date(2027, 6, 2)))
    assert variation.accepted_by_id == provider.id
    with pytest.raises(ServiceError) as refused:
        agreements.accept_variation(provider, variation, at(date(2027, 6, 2)))
    assert refused.value.code == "variation_already_accepted"


def test_reminders_then_suspension_when_not_signed(setting, mailbox) -> None:
    das, provider, admin = setting
    agreement = admit(das, provider, date(2027, 3, 15))
    created = (
        agreement.created_at.replace(tzinfo=UTC)
        if agreement.created_at.tzinfo is None
        else agreement.created_at
    )
    assert agreements.send_signature_reminders(created + timedelta(days=3), 7, 30) == (0, 0)
    assert agreements.send_signature_reminders(created + timedelta(days=8), 7, 30) == (1, 0)
    assert "Herinnering" in mailbox.last_to(provider.email)["Subject"]
    assert agreements.send_signature_reminders(created + timedelta(days=9), 7, 30) == (0, 0)
    assert agreements.send_signature_reminders(created + timedelta(days=31), 7, 30) == (0, 1)
    assert agreement.state is AgreementState.SUSPENDED
    assert "opgeschort" in mailbox.last_to(provider.email)["Subject"]


def test_suspend_resume_and_end_need_a_reason(setting) -> None:
    das, provider, admin = setting
    agreement = admit(das, provider, date(2027, 3, 15))
    with pytest.raises(ServiceError) as refused:
        agreements.change_state(admin, agreement, AgreementState.SUSPENDED, " ", date(2027, 4, 1))
    assert refused.value.code == "state_reason_required"
    agreements.change_state(admin, agreement, AgreementState.SUSPENDED, "Klacht", date(2027, 4, 1))
    agreements.change_state(admin, agreement, AgreementState.LIVE, "Opgelost", date(2027, 5, 1))
    assert agreement.state is AgreementState.AWAITING_SIGNATURE  # never signed: back to signing
    agreements.change_state(admin, agreement, AgreementState.ENDED, "Gestopt", date(2027, 6, 1))
    with pytest.raises(ServiceError) as refused:
        agreements.change_state(admin, agreement, AgreementState.SUSPENDED, "x", date(2027, 7, 1))
    assert refused.value.code == "state_change_not_allowed"
