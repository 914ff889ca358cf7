"""Decision letters: a PDF per decided application (WeasyPrint), stored under its hash and
mailed to the provider."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal import mail
from portal.extensions import db
from portal.models import Application, Assessment, Criterion, DecisionLetter, User
from portal.storage import content_key, get_storage


def key_for(letter: DecisionLetter) -> str:
    """Where the letter is in the store: `letters/ab/abcdef…`."""
    return content_key(letter.sha256, "letters")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy; loaded when a letter is made

    return bytes(HTML(string=html, base_url=current_app.root_path).write_pdf())


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
    content = render_pdf(html)
    sha256 = hashlib.sha256(content).hexdigest()
    letter = DecisionLetter(
        application_id=application.id,
        sha256=sha256,
        filename=f"besluit-{application.reference}.pdf",
        created_at=now,
    )
    storage = get_storage()
    if not storage.exists(key_for(letter)):
        storage.put_bytes(key_for(letter), content)
    db.session.add(letter)
    return letter


def letter_of(application: Application) -> DecisionLetter | None:
    return db.session.scalar(
        db.select(DecisionLetter).where(DecisionLetter.application_id == application.id)
    )


def read(letter: DecisionLetter) -> bytes:
    content = get_storage().read_bytes(key_for(letter))
    if hashlib.sha256(content).hexdigest() != letter.sha256:
        raise OSError("decision letter changed in the store")
    return content


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
