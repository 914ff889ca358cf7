"""Decision letters: a PDF per decided application (WeasyPrint), stored under its hash and
mailed to the provider."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal import mail
from portal.extensions import db
from portal.models import Application, Assessment, Criterion, DecisionLetter, User


def letters_dir() -> str:
    return os.path.join(str(current_app.config["EVIDENCE_DIR"]), "letters")


def path_for(letter: DecisionLetter) -> str:
    return os.path.join(letters_dir(), letter.sha256[:2], letter.sha256)


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
    path = path_for(letter)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        tmp = f"{path}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    db.session.add(letter)
    return letter


def letter_of(application: Application) -> DecisionLetter | None:
    return db.session.scalar(
        db.select(DecisionLetter).where(DecisionLetter.application_id == application.id)
    )


def read(letter: DecisionLetter) -> bytes:
    with open(path_for(letter), "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != letter.sha256:
        raise OSError("decision letter changed on disk")
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
