"""Messages and complaints on applications and agreements (issue 20): posting, unread and read,
attachments checked as evidence (a refused one stores nothing), complaints in time and late,
closing, who may take part, and the mail to the other side."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta

import pytest
from flask import Flask

from portal.extensions import db
from portal.infra.storage import get_storage
from portal.models import AuditEvent, LotOutcome, Message, MessageAttachment, MessageKind, Role
from portal.services import ServiceError, messages, review
from portal.services.agreements import agreement_of
from tests import factories
from tests.factories import at
from tests.support.smtp import SmtpSink

DECIDED_ON = date(2027, 3, 2)  # the letter's date; the period ends on 22-3-2027


@pytest.fixture()
def rejected(app: Flask):
    """A provider (with a colleague) whose application was rejected on DECIDED_ON by a reviewer
    of the DAS; another DAS with its own reviewer."""
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    colleague = factories.ProviderUserFactory(organisation=provider.organisation, contributor=True)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    application = factories.submitted_application(das, provider, date(2027, 3, 1))
    factories.decide(
        application,
        {
            al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Geen polis")
            for al in application.lots
        },
        reviewer,
        at(DECIDED_ON, 9),
    )
    other_das = factories.DasFactory()
    elsewhere = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(elsewhere, other_das)
    db.session.commit()
    return {
        "das": das,
        "provider": provider,
        "colleague": colleague,
        "reviewer": reviewer,
        "application": application,
        "elsewhere": elsewhere,
    }


def file(content: bytes, name: str) -> messages.IncomingFile:
    return messages.IncomingFile(io.BytesIO(content), name)


def test_a_message_is_unread_until_the_other_side_opens_the_thread(
    rejected, mailbox: SmtpSink
) -> None:
    application, provider, reviewer = (
        rejected["application"],
        rejected["provider"],
        rejected["reviewer"],
    )
    sent = messages.post(application, provider, "Mag ik iets vragen?", [], at(date(2027, 3, 3)))
    assert sent.from_staff is False and sent.kind is MessageKind.MESSAGE
    assert messages.unread_count(application, for_staff=True) == 1
    # The writer's own opening changes nothing.
    messages.open_thread(application, provider, at(date(2027, 3, 3), 11))
    assert messages.unread_count(application, for_staff=True) == 1
    thread = messages.open_thread(application, reviewer, at(date(2027, 3, 4)))
    assert thread.new_ids == {sent.id}
    assert messages.unread_count(application, for_staff=True) == 0
    db.session.refresh(sent)
    assert sent.read_at is not None
    # Opened again: nothing new any more.
    assert messages.open_thread(application, reviewer, at(date(2027, 3, 5))).new_ids == set()
    # The reviewer's mail has a link and not the text.
    body = SmtpSink.body(mailbox.last_to(reviewer.email))
    assert "Mag ik iets vragen?" not in body
    assert f"/beoordeling/aanmeldingen/{application.id}/berichten" in body
    # A reply: the provider's people get it, the writer does not.
    messages.post(application, reviewer, "Ja, graag.", [], at(date(2027, 3, 5)))
    assert mailbox.to(rejected["colleague"].email)
    assert not mailbox.to(reviewer.email)[1:]
    unread = messages.unread_for_organisation(provider.organisation_id)
    assert unread.applications == {application.id: 1}


def test_the_thread_shows_the_clarifications_in_time_order(rejected) -> None:
    from portal.models import Clarification

    application = rejected["application"]
    messages.post(application, rejected["provider"], "Eerste", [], at(date(2027, 3, 3)))
    db.session.add(
        Clarification(
            application_id=application.id,
            asked_by_id=rejected["reviewer"].id,
            reply_due_on=date(2027, 3, 20),
            question="Graag de polis.",
            asked_at=at(date(2027, 3, 2), 8),
        )
    )
    db.session.commit()
    thread = messages.open_thread(application, rejected["provider"], at(date(2027, 3, 6)))
    kinds = ["c" if e.clarification else "m" for e in thread.entries]
    assert kinds == ["c", "m"]


@pytest.mark.parametrize(
    ("filed_on", "late"),
    [
        (DECIDED_ON, False),
        (DECIDED_ON + timedelta(days=20), False),
        (DECIDED_ON + timedelta(days=21), True),
    ],
)
def test_a_complaint_in_time_or_late_is_recorded_never_refused(
    rejected, mailbox: SmtpSink, filed_on: date, late: bool
) -> None:
    application = rejected["application"]
    complaint = messages.post(
        application, rejected["provider"], "Wij zijn het oneens.", [], at(filed_on), complaint=True
    )
    assert complaint.kind is MessageKind.COMPLAINT
    assert complaint.complaint_due_on == date(2027, 3, 22)
    assert complaint.is_late is late
    assert complaint.is_open_complaint
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "complaint.filed")
    ).one()
    assert "Wij zijn het oneens." not in str(event.details)
    assert event.details["is_late"] is late
    assert mailbox.to(rejected["reviewer"].email)


def test_staff_close_a_complaint_with_a_reply_once(rejected, mailbox: SmtpSink) -> None:
    application, reviewer = rejected["application"], rejected["reviewer"]
    complaint = messages.post(
        application, rejected["provider"], "Oneens.", [], at(date(2027, 3, 4)), complaint=True
    )
    reply = messages.close_complaint(
        application, complaint, reviewer, "Wij blijven bij het besluit.", [], at(date(2027, 3, 8))
    )
    db.session.refresh(complaint)
    assert complaint.handled_at is not None and complaint.handled_by_id == reviewer.id
    assert reply.from_staff is True and not complaint.is_open_complaint
    assert "afgehandeld" in str(mailbox.last_to(rejected["provider"].email)["Subject"])
    with pytest.raises(ServiceError) as refused:
        messages.close_complaint(
            application, complaint, reviewer, "Nog eens", [], at(date(2027, 3, 9))
        )
    assert refused.value.code == "complaint_already_closed"
    # A provider cannot close it.
    with pytest.raises(ServiceError):
        messages.close_complaint(
            application, complaint, rejected["provider"], "x", [], at(date(2027, 3, 9))
        )


def test_no_complaint_without_a_decision_letter(rejected) -> None:
    in_review = factories.submitted_application(
        rejected["das"], factories.ProviderUserFactory(), date(2027, 3, 1)
    )
    with pytest.raises(ServiceError) as refused:
        messages.post(
            in_review, in_review.created_by, "Klacht", [], at(date(2027, 3, 3)), complaint=True
        )
    assert refused.value.code == "complaint_not_possible"
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "message_empty"),
        ("  \n\t ", "message_empty"),
        ("x" * (messages.MAX_BODY_CHARS + 1), "message_too_long"),
        ("Hallo\x00daar", "message_control_characters"),
        ("Hallo\u2028daar", "message_control_characters"),
    ],
)
def test_bad_text_is_refused(rejected, body: str, code: str) -> None:
    with pytest.raises(ServiceError) as refused:
        messages.post(rejected["application"], rejected["provider"], body, [], at(date(2027, 3, 3)))
    assert refused.value.code == code
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_line_breaks_and_tabs_are_text(rejected) -> None:
    sent = messages.post(
        rejected["application"],
        rejected["provider"],
        "Regel 1\r\n\tRegel 2",
        [],
        at(date(2027, 3, 3)),
    )
    assert sent.body == "Regel 1\r\n\tRegel 2"


def test_attachments_are_stored_like_evidence(app: Flask, rejected) -> None:
    sent = messages.post(
        rejected["application"],
        rejected["provider"],
        "Zie bijlage",
        [file(factories.PDF_BYTES, "polis.pdf"), file(factories.PNG_BYTES, "foto")],
        at(date(2027, 3, 3)),
    )
    names = [a.filename for a in sent.attachments]
    assert names == ["polis.pdf", "foto.png"]  # the content's extension added
    for attachment in sent.attachments:
        assert get_storage().exists(messages.key_for(attachment))
    assert messages.attachment_of(rejected["application"], sent.attachments[0].id) is not None


def test_the_evidence_sweep_removes_only_attachments_no_message_names(app: Flask, rejected) -> None:
    """A file under messages/ left by a process killed before its commit goes in the daily
    sweep once it is an hour old; an attachment's file stays."""
    import time

    from portal.infra.storage import content_key
    from portal.services import evidence

    sent = messages.post(
        rejected["application"],
        rejected["provider"],
        "Zie bijlage",
        [file(factories.PDF_BYTES, "polis.pdf")],
        at(date(2027, 3, 3)),
    )
    root = app.config["EVIDENCE_DIR"]
    orphan_key = content_key("cd" + "1" * 62, messages.FOLDER)
    orphan = os.path.join(root, *orphan_key.split("/"))
    os.makedirs(os.path.dirname(orphan), exist_ok=True)
    with open(orphan, "wb") as handle:
        handle.write(b"x")
    kept = os.path.join(root, *messages.key_for(sent.attachments[0]).split("/"))
    hour_ago = time.time() - 3601
    for path in (orphan, kept):
        os.utime(path, (hour_ago, hour_ago))
    assert evidence.remove_orphans() == [orphan]
    assert os.path.exists(kept)


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "brief.pdf", "upload_wrong_type"),
        (b"MZ\x90\x00", "setup.exe", "upload_extension_not_allowed"),
        (b"", "leeg.pdf", "upload_empty"),
        (factories.PNG_BYTES, "foto.pdf", "upload_name_mismatch"),
    ],
)
def test_a_refused_attachment_stores_nothing(
    app: Flask, rejected, content: bytes, name: str, code: str
) -> None:
    store = app.config["EVIDENCE_DIR"]

    def files() -> set[str]:
        return {os.path.join(d, f) for d, _, fs in os.walk(store) for f in fs}

    before = files()
    with pytest.raises(ServiceError) as refused:
        messages.post(
            rejected["application"],
            rejected["provider"],
            "Met bijlagen",
            # A good file first: it goes too when the second is refused.
            [file(factories.JPEG_BYTES, "scan.jpg"), file(content, name)],
            at(date(2027, 3, 3)),
        )
    assert refused.value.code == code
    assert files() == before
    assert db.session.scalar(db.select(db.func.count(MessageAttachment.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_too_many_attachments_are_refused(rejected) -> None:
    with pytest.raises(ServiceError) as refused:
        messages.post(
            rejected["application"],
            rejected["provider"],
            "Veel",
            [file(factories.PDF_BYTES, f"{n}.pdf") for n in range(messages.MAX_ATTACHMENTS + 1)],
            at(date(2027, 3, 3)),
        )
    assert refused.value.code == "too_many_attachments"


def test_a_double_submission_makes_one_message(rejected) -> None:
    application, provider = rejected["application"], rejected["provider"]
    messages.post(application, provider, "Eén keer", [], at(date(2027, 3, 3)), submission_key="k1")
    with pytest.raises(ServiceError) as refused:
        messages.post(
            application, provider, "Eén keer", [], at(date(2027, 3, 3)), submission_key="k1"
        )
    assert refused.value.code == "message_already_sent"
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 1


def test_only_the_parties_take_part(rejected) -> None:
    application = rejected["application"]
    stranger = factories.ProviderUserFactory()
    for outsider in (stranger, rejected["elsewhere"]):
        with pytest.raises(ServiceError) as refused:
            messages.post(application, outsider, "Hallo", [], at(date(2027, 3, 3)))
        assert refused.value.code == "not_found"
        with pytest.raises(ServiceError):
            messages.open_thread(application, outsider, at(date(2027, 3, 3)))
    # A contract manager does not write on an application.
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, rejected["das"])
    with pytest.raises(ServiceError):
        messages.post(application, manager, "Hallo", [], at(date(2027, 3, 3)))
    # A reviewer who declared a conflict of interest is refused.
    conflicted = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(conflicted, rejected["das"])
    review.declare_conflict(application, conflicted, True, "Oud-collega", at(date(2027, 3, 3)))
    with pytest.raises(ServiceError) as refused:
        messages.open_thread(application, conflicted, at(date(2027, 3, 3)))
    assert refused.value.code == "own_conflict"
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_an_agreement_thread_between_the_provider_and_the_contract_managers(
    app: Flask, mailbox: SmtpSink
) -> None:
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, date(2027, 3, 1))
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    elsewhere = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(elsewhere, factories.DasFactory())
    db.session.commit()
    messages.post(agreement, provider, "Vraag over de tarieven", [], at(date(2027, 4, 1)))
    assert f"/contracten/{agreement.id}/berichten" in SmtpSink.body(mailbox.last_to(manager.email))
    assert not mailbox.to(elsewhere.email)
    with pytest.raises(ServiceError):
        messages.post(agreement, elsewhere, "Hallo", [], at(date(2027, 4, 1)))
    with pytest.raises(ServiceError) as refused:
        messages.post(agreement, provider, "Klacht", [], at(date(2027, 4, 1)), complaint=True)
    assert refused.value.code == "complaint_not_possible"
    messages.post(agreement, manager, "Antwoord", [], at(date(2027, 4, 2)))
    assert messages.unread_for_organisation(provider.organisation_id).agreements == {
        agreement.id: 1
    }
    assert agreement_of(das.id, provider.organisation_id) is not None
