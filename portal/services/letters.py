"""Decision letters: a PDF per decided application (services/documents.py), stored under its hash
and mailed to the provider."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.infra import mail
from portal.models import Application, Assessment, Criterion, DecisionLetter, User
from portal.services import documents


def key_for(letter: DecisionLetter) -> str:
    """Where the letter is in the store: `letters/ab/abcdef…`."""
    return documents.key_for(letter.sha256, documents.LETTERS)


def write_decision_letter(
    application: Application,
    failed: list[tuple[Criterion, Assessment]],
    now: datetime,
) -> DecisionLetter:
    """Render and store the letter; adds its row to the caller's transaction."""
    # The decision is a legal document, stored once: always in Dutch, whatever the reviewer's
    # interface language.
    with force_locale("nl"):
        html = render_template(
            "letters/decision.html", application=application, failed=failed, now=now
        )
    letter = DecisionLetter(
        application_id=application.id,
        sha256=documents.store_pdf(html, documents.LETTERS),
        filename=f"besluit-{application.reference}.pdf",
        created_at=now,
    )
    db.session.add(letter)
    return letter


def letter_of(application: Application) -> DecisionLetter | None:
    return db.session.scalar(
        db.select(DecisionLetter).where(DecisionLetter.application_id == application.id)
    )


def read(letter: DecisionLetter) -> bytes:
    return documents.read(letter.sha256, documents.LETTERS)


def send_decision(application: Application, letter: DecisionLetter, recipients: list[User]) -> None:
    content = read(letter)
    for user in recipients:
        mail.send(
            user.email,
            _l("Besluit op uw aanmelding %(reference)s", reference=application.reference),
            "decision",
            attachments=[(letter.filename, content, "application/pdf")],
            user=user,
            application=application,
            link=mail.link("supplier.application", application_id=application.id),
        )
