"""The message thread of an application or an agreement (issue 20), as every audience shows it:
its forms, and the page's GET and POST. Each audience's view loads the thread's subject through
its own ownership check and hands it here (portal/supplier/message_views.py,
portal/review/message_views.py, portal/contracts/message_views.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.infra.storage import send_stored
from portal.infra.timeutil import local_date, now
from portal.models import Application, Message, MessageKind
from portal.pages.forms import PortalForm
from portal.pages.messages import message_for
from portal.services import ServiceError, messages

MESSAGE = "bericht"
COMPLAINT = "klacht"
BODY_CODES = frozenset({"message_empty", "message_too_long", "message_control_characters"})
FILE_CODES = frozenset({"too_many_attachments"})


class MessageForm(PortalForm):
    kind = RadioField(
        _l("Wat wilt u sturen?"),
        choices=[
            SelectChoice(MESSAGE, _l("Een vraag of bericht")),
            SelectChoice(COMPLAINT, _l("Een klacht over het besluit")),
        ],
        default=MESSAGE,
        validators=[Optional()],
    )
    body = TextAreaField(
        _l("Bericht"),
        validators=[
            DataRequired(_l("Schrijf uw bericht.")),
            Length(
                max=messages.MAX_BODY_CHARS,
                message=_l("Uw bericht is te lang: hoogstens %(max)d tekens."),
            ),
        ],
    )
    attachments = MultipleFileField(
        _l("Bijlagen (niet verplicht)"),
        description=_l("PDF, PNG, JPEG, DOCX of ODT, hoogstens 20 MB per bestand en 5 bestanden."),
        validators=[Optional()],
    )
    submission_key = HiddenField()


class CloseComplaintForm(PortalForm):
    reply = TextAreaField(
        _l("Antwoord op de klacht"),
        validators=[
            DataRequired(_l("Schrijf uw antwoord op de klacht.")),
            Length(
                max=messages.MAX_BODY_CHARS,
                message=_l("Uw antwoord is te lang: hoogstens %(max)d tekens."),
            ),
        ],
    )
    submission_key = HiddenField()


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _files(form: MessageForm) -> list[messages.IncomingFile]:
    return [
        messages.IncomingFile(f.stream, f.filename)
        for f in form.attachments.data or []
        if isinstance(f, FileStorage) and f.filename
    ]


@dataclass(frozen=True)
class Place:
    """Where the thread is for the viewer: its page, and the page it belongs to."""

    endpoint: str
    values: dict[str, Any]
    template: str

    def url(self) -> str:
        return url_for(self.endpoint, **self.values)


def page(
    subject: messages.Subject,
    place: Place,
    *,
    form: MessageForm | None = None,
    close_forms: dict[int, CloseComplaintForm] | None = None,
    error_message: str | None = None,
    **context: Any,
) -> str:
    try:
        thread = messages.open_thread(subject, current_user, now())
    except ServiceError:  # a reviewer with a declared conflict of interest
        abort(403)
    staff = current_user.is_staff
    window = (
        messages.complaint_window(subject)
        if isinstance(subject, Application) and not staff
        else None
    )
    if form is None:
        form = MessageForm(formdata=None, submission_key=_new_key())
    if window is None:
        del form.kind
    forms = close_forms or {}
    for entry in thread.entries:
        m = entry.message
        if staff and m is not None and m.is_open_complaint and m.id not in forms:
            forms[m.id] = CloseComplaintForm(
                formdata=None, prefix=f"k{m.id}", submission_key=_new_key()
            )
    return render_template(
        place.template,
        subject=subject,
        thread=thread,
        staff=staff,
        form=form,
        close_forms=forms,
        window=window,
        today=local_date(now()),
        error_message=error_message,
        place=place,
        **context,
    )


def post(subject: messages.Subject, place: Place, **context: Any) -> str | Response:
    """A new message (or complaint) from the form; the form again, with what was typed and the
    reason, when it is refused."""
    form = MessageForm()
    window = (
        messages.complaint_window(subject)
        if isinstance(subject, Application) and not current_user.is_staff
        else None
    )
    if window is None:
        del form.kind
    if not form.submission_key.data:
        form.submission_key.data = _new_key()
    error_message = None
    if form.validate_on_submit():
        complaint = window is not None and form.kind.data == COMPLAINT
        try:
            message = messages.post(
                subject,
                current_user,
                form.body.data or "",
                _files(form),
                now(),
                submission_key=form.submission_key.data,
                complaint=complaint,
            )
        except ServiceError as error:
            if error.code == "message_already_sent":
                # The other click got there first: that message stands.
                return redirect(place.url())
            if error.code == "own_conflict":
                abort(403)
            if error.code in BODY_CODES:
                form.body.errors = [*form.body.errors, message_for(error)]
            elif error.code.startswith("upload_") or error.code in FILE_CODES:
                form.attachments.errors = [*form.attachments.errors, message_for(error)]
            else:
                error_message = message_for(error)
        else:
            flash(_sent(message), "success")
            return redirect(place.url())
    return page(subject, place, form=form, error_message=error_message, **context)


def _sent(message: Message) -> str:
    if message.kind is MessageKind.COMPLAINT:
        if message.is_late:
            return _(
                "Uw klacht is vastgelegd. Zij is na de termijn ingediend en is gemarkeerd als "
                "te laat ingediend."
            )
        return _("Uw klacht is vastgelegd en verstuurd.")
    return _("Uw bericht is verstuurd.")


def close(subject: Application, complaint_id: int, place: Place, **context: Any) -> str | Response:
    """Staff answer a complaint and close it."""
    complaint = next(
        (m for m in messages.messages_of(subject) if m.id == complaint_id),
        None,
    )
    if complaint is None or complaint.kind is not MessageKind.COMPLAINT:
        abort(404)
    form = CloseComplaintForm(prefix=f"k{complaint.id}")
    if not form.submission_key.data:
        form.submission_key.data = _new_key()
    error_message = None
    if form.validate_on_submit():
        try:
            messages.close_complaint(
                subject,
                complaint,
                current_user,
                form.reply.data or "",
                [],
                now(),
                submission_key=form.submission_key.data,
            )
        except ServiceError as error:
            if error.code in ("message_already_sent", "complaint_already_closed"):
                return redirect(place.url())
            if error.code == "own_conflict":
                abort(403)
            if error.code in BODY_CODES:
                form.reply.errors = [*form.reply.errors, message_for(error)]
            else:
                error_message = message_for(error)
        else:
            flash(_("De klacht is beantwoord en afgehandeld."), "success")
            return redirect(place.url())
    return page(
        subject,
        place,
        close_forms={complaint.id: form},
        error_message=error_message,
        **context,
    )


def attachment(subject: messages.Subject, attachment_id: int) -> Response:
    """An attachment of the thread of `subject` (found by the caller's access rule), as a
    download; 404 when it belongs to another thread."""
    found = messages.attachment_of(subject, attachment_id)
    if found is None:
        abort(404)
    return send_stored(
        messages.key_for(found),
        mimetype=messages.served_type(found),
        download_name=found.filename,
    )
