"""Decision letters: a PDF per decided application (services/documents.py), stored under its hash
and mailed to the provider.

The decision records the letter and commits without waiting for WeasyPrint; the `render_letter`
job renders it from the committed decision, stores it, fills the row and puts the mail with the
PDF in the outbox, in one transaction (issue 20). The letter is dated the decision's day, not the
day the job runs."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.infra import jobs, mail
from portal.infra.timeutil import as_utc
from portal.infra.timeutil import now as current_time
from portal.models import Application, Assessment, Criterion, DecisionLetter, ReviewMark, User
from portal.services import documents, transaction
from portal.services.recipients import provider_recipients


def key_for(letter: DecisionLetter) -> str:
    """Where the letter is in the store: `letters/ab/abcdef…`."""
    return documents.key_for(letter.sha256, documents.LETTERS)


def write_decision_letter(application: Application, now: datetime) -> DecisionLetter:
    """Record the letter of the decision taken `now`, to be rendered once the decision commits
    (the render_letter job); adds its row to the caller's transaction."""
    letter = DecisionLetter(
        application_id=application.id,
        filename=f"besluit-{application.reference}.pdf",
        created_at=now,
    )
    db.session.add(letter)
    db.session.flush()
    jobs.after_commit(render_letter, letter.id)
    return letter


def failed_criteria(application: Application) -> list[tuple[Criterion, Assessment]]:
    """The criteria the reviewers failed, with their verdict: what the letter motivates."""
    criteria = {c.id: c for c in application.das.criteria}
    return [
        (criteria[a.criterion_id], a)
        for a in db.session.scalars(
            db.select(Assessment)
            .where(Assessment.application_id == application.id, Assessment.mark == ReviewMark.FAIL)
            .order_by(Assessment.id)
        )
    ]


@transaction
def render(letter_id: int, now: datetime) -> bool:
    """Render a recorded letter from the decision as committed, store it, fill its row (`now`
    is when) and queue the mail with the PDF to the provider, in one transaction. A letter
    rendered already is left alone, so a retried job neither renders nor mails it again: False.
    """
    letter = db.session.get(DecisionLetter, letter_id)
    if letter is None or letter.is_rendered:
        db.session.rollback()
        return False
    application = db.session.get_one(Application, letter.application_id)
    # The decision is a legal document, stored once: always in Dutch, whatever the reviewer's
    # interface language, and dated the moment of the decision.
    with force_locale("nl"):
        html = render_template(
            "letters/decision.html",
            application=application,
            failed=failed_criteria(application),
            now=as_utc(letter.created_at),
        )
    content = documents.issue_pdf(html)  # sealed: what is stored, mailed and checked
    sha256 = documents.store(content, documents.LETTERS)
    if not documents.fill_once(
        DecisionLetter,
        letter.id,
        DecisionLetter.rendered_at.is_(None),
        sha256=sha256,
        rendered_at=now,
    ):
        db.session.rollback()  # another run of the job filled (and mailed) it meanwhile
        return False
    _queue_decision(
        application, letter.filename, content, provider_recipients(application.organisation_id)
    )
    db.session.commit()
    return True


@jobs.task(retries=5)
def render_letter(letter_id: int) -> None:
    render(letter_id, current_time())


def letter_of(application: Application) -> DecisionLetter | None:
    """The letter of a decided application, rendered or not yet (DecisionLetter.is_rendered)."""
    return db.session.scalar(
        db.select(DecisionLetter).where(DecisionLetter.application_id == application.id)
    )


def read(letter: DecisionLetter) -> bytes:
    """The stored PDF; DocumentPending before the job has rendered it, DocumentChanged when the
    store holds other bytes than were recorded."""
    if not letter.is_rendered:
        raise documents.DocumentPending()
    return documents.read(letter.sha256, documents.LETTERS)


def _queue_decision(
    application: Application, filename: str, content: bytes, recipients: list[User]
) -> None:
    for user in recipients:
        mail.queue(
            user.email,
            _l("Besluit op uw aanmelding %(reference)s", reference=application.reference),
            "decision",
            attachments=[(filename, content, "application/pdf")],
            user=user,
            application=application,
            link=mail.link("supplier.application", application_id=application.id),
        )
