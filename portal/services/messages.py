"""Messages between a provider and the DAS's staff on an application or an agreement (issue 20).

A thread per application and per agreement: messages of either side, with attachments checked
and stored as evidence is (portal.services.evidence.receive; a refused file stores nothing), and
on an application the clarification requests (herstelverzoeken) as read-only entries, answered
where they always were. A provider may file a complaint against a decision (kind COMPLAINT) under
the municipalities' complaints procedure, within the period the decision letter names
(portal.domain.complaints) or late, when it is recorded and marked late; staff close it with a
reply.

Who may read and write: the provider's organisation, and the staff of the DAS (reviewers for an
application, contract managers for an agreement, administrators for both); a reviewer who
declared a conflict of interest on the application is refused (`own_conflict`). Mail goes to the
other side in the same transaction (portal.infra.mail.queue), with a link and never the text.
Audit facts never hold the text either.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.domain import complaints as rules
from portal.extensions import db
from portal.infra import mail
from portal.infra.storage import OCTET_STREAM, content_key, get_storage
from portal.infra.timeutil import local_date
from portal.models import (
    Application,
    ApplicationState,
    Assessment,
    Clarification,
    ConflictDeclaration,
    FrameworkAgreement,
    Message,
    MessageAttachment,
    MessageKind,
    Role,
    StaffAssignment,
    User,
)
from portal.services import ServiceError, evidence, letters, review, transaction
from portal.services.audit import record
from portal.services.ownership import (
    require_contract_manager,
    require_provider_of,
    require_reviewer,
)
from portal.services.recipients import provider_recipients

#: Long enough for a reasoned complaint, short enough to read.
MAX_BODY_CHARS = 5000
MAX_ATTACHMENTS = 5
#: Attachments are kept in the evidence store, in a folder of their own.
FOLDER = "messages"
# Control characters a message may not hold; line breaks and tabs are text in a textarea.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

Subject = Application | FrameworkAgreement


@dataclass(frozen=True)
class IncomingFile:
    stream: IO[bytes]
    filename: str


@dataclass(frozen=True)
class ComplaintWindow:
    """The period the decision letter names: from the letter's date up to and including
    `last_day` (portal.domain.complaints)."""

    letter_date: date
    last_day: date

    def is_late_on(self, today: date) -> bool:
        return rules.is_late(self.letter_date, today)


@dataclass(frozen=True)
class Entry:
    """One entry of a thread in time order: a message, or a clarification request (read-only
    here; answered on its own page)."""

    at: datetime
    message: Message | None = None
    clarification: Clarification | None = None


# --- who is a party ---------------------------------------------------------------------------


def _is_application(subject: Subject) -> bool:
    return isinstance(subject, Application)


def side_of(subject: Subject, actor: User) -> bool:
    """Whether the actor writes as staff (True) or as the provider (False); refused
    (`not_found`) for anyone who is not a party of this thread, and (`own_conflict`) for a
    reviewer who declared a conflict of interest on the application."""
    if actor.role is Role.PROVIDER:
        require_provider_of(actor, subject.organisation_id)
        if isinstance(subject, Application) and subject.state is ApplicationState.DRAFT:
            raise ServiceError("not_found")
        return False
    if isinstance(subject, Application):
        if subject.state is ApplicationState.DRAFT:
            raise ServiceError("not_found")
        require_reviewer(actor, subject.das_id)
        review.refuse_if_conflicted(subject, actor)
    else:
        require_contract_manager(actor, subject.das_id)
    return True


def _of(subject: Subject) -> sa.ColumnElement[bool]:
    if isinstance(subject, Application):
        return Message.application_id == subject.id
    return Message.agreement_id == subject.id


# --- the complaint period ---------------------------------------------------------------------


def complaint_window(application: Application) -> ComplaintWindow | None:
    """The complaint period of a decided application with its decision letter; None before
    there is a letter (nothing to complain against yet)."""
    if application.state is not ApplicationState.DECIDED:
        return None
    letter = letters.letter_of(application)
    if letter is None:
        return None
    letter_date = local_date(letter.created_at)
    return ComplaintWindow(letter_date, rules.complaint_period_end(letter_date))


# --- reading ------------------------------------------------------------------------------------


def messages_of(subject: Subject) -> list[Message]:
    return list(
        db.session.scalars(
            db.select(Message)
            .where(_of(subject))
            .options(
                sa.orm.selectinload(Message.attachments),
                sa.orm.joinedload(Message.author),
                sa.orm.joinedload(Message.handled_by),
            )
            .order_by(Message.created_at, Message.id)
        ).unique()
    )


def entries(subject: Subject, found: Sequence[Message]) -> list[Entry]:
    """The thread in time order: the messages and, on an application, its clarification
    requests."""
    items = [Entry(m.created_at, message=m) for m in found]
    if isinstance(subject, Application):
        items += [Entry(c.asked_at, clarification=c) for c in review.clarifications_of(subject)]
    return sorted(items, key=lambda e: e.at)


@dataclass(frozen=True)
class Thread:
    entries: list[Entry]
    new_ids: frozenset[int]  # the other side's messages this reading opened first


@transaction
def open_thread(subject: Subject, viewer: User, now: datetime) -> Thread:
    """The thread as the viewer reads it. The other side's messages not read yet are read now
    (their `read_at`, which their writer sees as "gelezen op"); they are shown as new once."""
    staff = side_of(subject, viewer)
    unread = (_of(subject), Message.from_staff.is_(not staff), Message.read_at.is_(None))
    new_ids = frozenset(db.session.scalars(db.select(Message.id).where(*unread)))
    if new_ids:
        db.session.execute(
            sa.update(Message).where(*unread).values(read_at=now),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
    return Thread(entries(subject, messages_of(subject)), new_ids)


def unread_count(subject: Subject, *, for_staff: bool) -> int:
    """The other side's messages in this thread not yet opened by the reader's side."""
    return int(
        db.session.scalar(
            db.select(sa.func.count(Message.id)).where(
                _of(subject), Message.from_staff.is_(not for_staff), Message.read_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Unread:
    """Staff messages a provider has not opened, per application and per agreement."""

    applications: dict[int, int]
    agreements: dict[int, int]


def unread_for_organisation(organisation_id: int) -> Unread:
    """For the provider's home page: one query for all the organisation's threads."""
    rows = db.session.execute(
        db.select(Message.application_id, Message.agreement_id, sa.func.count(Message.id))
        .outerjoin(Application, Application.id == Message.application_id)
        .outerjoin(FrameworkAgreement, FrameworkAgreement.id == Message.agreement_id)
        .where(
            Message.from_staff.is_(True),
            Message.read_at.is_(None),
            sa.or_(
                Application.organisation_id == organisation_id,
                FrameworkAgreement.organisation_id == organisation_id,
            ),
        )
        .group_by(Message.application_id, Message.agreement_id)
    ).tuples()
    applications: dict[int, int] = {}
    agreements: dict[int, int] = {}
    for application_id, agreement_id, count in rows:
        if application_id is not None:
            applications[application_id] = count
        elif agreement_id is not None:
            agreements[agreement_id] = count
    return Unread(applications, agreements)


def attachment_of(subject: Subject, attachment_id: int) -> MessageAttachment | None:
    """An attachment of a message in this thread (the caller loaded the thread's subject
    through an ownership check); None for any other id."""
    return db.session.scalar(
        db.select(MessageAttachment)
        .join(Message, Message.id == MessageAttachment.message_id)
        .where(MessageAttachment.id == attachment_id, _of(subject))
    )


def key_for(attachment: MessageAttachment) -> str:
    return content_key(attachment.sha256, FOLDER)


def served_type(attachment: MessageAttachment) -> str:
    """Never anything a browser shows as a page (as evidence.served_type)."""
    if attachment.content_type in evidence.ACCEPTED_TYPES:
        return attachment.content_type
    return OCTET_STREAM


# --- writing ------------------------------------------------------------------------------------


def checked_body(body: str) -> str:
    """The text as kept: trimmed; refused when empty, too long or holding control characters
    other than line breaks and tabs."""
    text = body.strip()
    if not text:
        raise ServiceError("message_empty")
    if len(text) > MAX_BODY_CHARS:
        raise ServiceError("message_too_long", limit=MAX_BODY_CHARS)
    if _CONTROL.search(text):
        raise ServiceError("message_control_characters")
    return text


def _receive_all(files: Sequence[IncomingFile]) -> list[evidence.Received]:
    """Every file checked as evidence is; when one is refused, those received before it are
    discarded too, so a refused message leaves nothing behind."""
    if len(files) > MAX_ATTACHMENTS:
        raise ServiceError("too_many_attachments", limit=MAX_ATTACHMENTS)
    received: list[evidence.Received] = []
    try:
        for incoming in files:
            received.append(evidence.receive(incoming.stream, incoming.filename))
    except BaseException:
        for done in received:
            evidence.discard_received(done.tmp_path)
        raise
    return received


def _publish(received: evidence.Received) -> bool:
    """The bytes in the store under their hash (marked fresh when already there). True when
    this call created the stored file."""
    storage = get_storage()
    key = content_key(received.sha256, FOLDER)
    try:
        storage.touch(key)
    except FileNotFoundError:
        storage.put_file(key, received.tmp_path)
        return True
    return False


@transaction
def post(
    subject: Subject,
    author: User,
    body: str,
    files: Sequence[IncomingFile],
    now: datetime,
    *,
    submission_key: str | None = None,
    complaint: bool = False,
) -> Message:
    """Add a message (or, from the provider on a decided application, a complaint) to the
    thread, with its attachments; mail the other side. A second request with the same
    submission key (a double click) is refused with `message_already_sent` and adds nothing."""
    staff = side_of(subject, author)
    text = checked_body(body)
    window: ComplaintWindow | None = None
    if complaint:
        if staff or not isinstance(subject, Application):
            raise ServiceError("complaint_not_possible")
        window = complaint_window(subject)
        if window is None:
            raise ServiceError("complaint_not_possible")
    return _add(subject, author, staff, text, files, now, submission_key, window)


def _add(
    subject: Subject,
    author: User,
    staff: bool,
    text: str,
    files: Sequence[IncomingFile],
    now: datetime,
    submission_key: str | None,
    window: ComplaintWindow | None,
    closes: Message | None = None,
) -> Message:
    received = _receive_all(files)
    created: list[str] = []
    try:
        message = Message(
            application_id=subject.id if isinstance(subject, Application) else None,
            agreement_id=subject.id if isinstance(subject, FrameworkAgreement) else None,
            kind=MessageKind.COMPLAINT if window is not None else MessageKind.MESSAGE,
            author_id=author.id,
            from_staff=staff,
            body=text,
            created_at=now,
            complaint_due_on=window.last_day if window is not None else None,
            is_late=window is not None and window.is_late_on(local_date(now)),
            submission_key=submission_key or None,
        )
        db.session.add(message)
        try:
            db.session.flush()
        except sa.exc.IntegrityError as error:
            db.session.rollback()
            raise ServiceError("message_already_sent") from error
        for item in received:
            if _publish(item):
                created.append(content_key(item.sha256, FOLDER))
            message.attachments.append(
                MessageAttachment(
                    sha256=item.sha256,
                    filename=item.filename,
                    content_type=item.content_type,
                    size_bytes=item.size,
                )
            )
        if closes is not None:
            closes.handled_at = now
            closes.handled_by_id = author.id
        _audit(subject, author, message, closes)
        _mail(subject, author, message, closes)
        db.session.commit()
        return message
    except BaseException:
        db.session.rollback()
        storage = get_storage()
        for key in created:
            with contextlib.suppress(FileNotFoundError):
                storage.delete(key)
        raise
    finally:
        for item in received:
            evidence.discard_received(item.tmp_path)


@transaction
def close_complaint(
    subject: Application,
    complaint: Message,
    staff: User,
    reply: str,
    files: Sequence[IncomingFile],
    now: datetime,
    *,
    submission_key: str | None = None,
) -> Message:
    """Staff answer a complaint and close it: the reply is a message in the thread; the
    complaint gets `handled_at`/`handled_by`. A closed complaint is not closed again."""
    if not side_of(subject, staff):
        raise ServiceError("not_found")
    if complaint.application_id != subject.id or complaint.kind is not MessageKind.COMPLAINT:
        raise ServiceError("not_found")
    if complaint.handled_at is not None:
        raise ServiceError("complaint_already_closed")
    text = checked_body(reply)
    return _add(subject, staff, True, text, files, now, submission_key, None, closes=complaint)


def _audit(subject: Subject, author: User, message: Message, closes: Message | None) -> None:
    """The facts, never the text (it may hold personal data and stays in the thread)."""
    facts: dict[str, Any] = {
        "organisation_id": subject.organisation_id,
        "das_id": subject.das_id,
        "from_staff": message.from_staff,
        "attachments": len(message.attachments),
    }
    if isinstance(subject, Application):
        facts["application_id"] = subject.id
    else:
        facts["agreement_id"] = subject.id
    if message.kind is MessageKind.COMPLAINT:
        action = "complaint.filed"
        facts.update(
            due_on=message.complaint_due_on.isoformat() if message.complaint_due_on else None,
            is_late=message.is_late,
        )
    else:
        action = "message.posted"
    record(action, message, author, **facts)
    if closes is not None:
        record(
            "complaint.closed",
            closes,
            author,
            organisation_id=subject.organisation_id,
            das_id=subject.das_id,
            reply_id=message.id,
        )


# --- who gets the mail --------------------------------------------------------------------------


def _active(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active_account and user.id not in seen:
            seen[user.id] = user
    return sorted(seen.values(), key=lambda u: u.id)


def _application_reviewers(application: Application) -> list[User]:
    """Who works on this application: its assigned reviewer, who proposed the decision and who
    assessed its answers; the DAS's reviewers when nobody did yet."""
    assessors = db.session.scalars(
        db.select(User)
        .join(Assessment, Assessment.assessed_by_id == User.id)
        .where(Assessment.application_id == application.id)
    )
    found = _active([application.assigned_reviewer, application.decision_proposed_by, *assessors])
    return found or [u for u in review.reviewers_for(application.das_id) if u.role is Role.REVIEWER]


def _contract_managers(das_id: int) -> list[User]:
    found = list(
        db.session.scalars(
            db.select(User)
            .join(StaffAssignment, StaffAssignment.user_id == User.id)
            .where(
                StaffAssignment.das_id == das_id,
                User.role == Role.CONTRACT_MANAGER,
                User.is_active_account.is_(True),
            )
            .order_by(User.id)
        )
    )
    return found or _administrators()


def _administrators() -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.role == Role.ADMINISTRATOR, User.is_active_account.is_(True))
            .order_by(User.id)
        )
    )


def recipients(subject: Subject, message: Message) -> list[User]:
    """The other side of the thread: the provider's people, or the staff assigned to it (for a
    complaint also the DAS's reviewers and administrators). Nobody who declared a conflict of
    interest on the application, and never the writer."""
    if not message.from_staff:
        if isinstance(subject, Application):
            staff = _application_reviewers(subject)
            if message.kind is MessageKind.COMPLAINT:
                staff = _active([*staff, *review.reviewers_for(subject.das_id)])
            conflicted = set(
                db.session.scalars(
                    db.select(ConflictDeclaration.user_id).where(
                        ConflictDeclaration.application_id == subject.id,
                        ConflictDeclaration.has_conflict.is_(True),
                    )
                )
            )
            people = [u for u in staff if u.id not in conflicted]
        else:
            people = _contract_managers(subject.das_id)
    else:
        people = provider_recipients(subject.organisation_id, reporters=True)
    return [u for u in people if u.id != message.author_id]


def _thread_endpoint(subject: Subject, to_staff: bool) -> tuple[str, dict[str, int]]:
    if isinstance(subject, Application):
        endpoint = "review.application_messages" if to_staff else "supplier.application_messages"
        return endpoint, {"application_id": subject.id}
    endpoint = "contracts.agreement_messages" if to_staff else "supplier.agreement_messages"
    return endpoint, {"agreement_id": subject.id}


def _reference(subject: Subject) -> str:
    return subject.reference or str(subject.id)


def _mail(subject: Subject, author: User, message: Message, closes: Message | None) -> None:
    endpoint, values = _thread_endpoint(subject, to_staff=not message.from_staff)
    link = mail.link(endpoint, **values)
    reference = _reference(subject)
    if message.kind is MessageKind.COMPLAINT:
        title = _l("Klacht over het besluit op %(reference)s", reference=reference)
        template = "message_complaint"
    elif closes is not None:
        title = _l("Uw klacht over %(reference)s is afgehandeld", reference=reference)
        template = "message_complaint_closed"
    else:
        title = _l("Nieuw bericht over %(reference)s", reference=reference)
        template = "message_new"
    for user in recipients(subject, message):
        with contextlib.suppress(mail.UnusableAddress):
            mail.queue(
                user.email,
                title,
                template,
                name=user.name,
                reference=reference,
                das=subject.das.name,
                link=link,
                is_late=message.is_late,
                due_on=message.complaint_due_on,
            )


# --- the organisation's own data (privacy export) -------------------------------------------


def export_of(organisation_id: int, who: Callable[[int | None], Any]) -> list[dict[str, Any]]:
    """Every message on the organisation's applications and agreements, as plain values."""
    found = db.session.scalars(
        db.select(Message)
        .outerjoin(Application, Application.id == Message.application_id)
        .outerjoin(FrameworkAgreement, FrameworkAgreement.id == Message.agreement_id)
        .where(
            sa.or_(
                Application.organisation_id == organisation_id,
                FrameworkAgreement.organisation_id == organisation_id,
            )
        )
        .options(sa.orm.selectinload(Message.attachments))
        .order_by(Message.created_at, Message.id)
    )
    rows: dict[int, dict[str, Any]] = defaultdict(dict)
    for m in found:
        rows[m.id] = {
            "id": m.id,
            "application_id": m.application_id,
            "agreement_id": m.agreement_id,
            "kind": m.kind.value,
            "from_staff": m.from_staff,
            "author": who(m.author_id),
            "body": m.body,
            "created_at": m.created_at,
            "read_at": m.read_at,
            "complaint_due_on": m.complaint_due_on,
            "is_late": m.is_late,
            "handled_at": m.handled_at,
            "handled_by": who(m.handled_by_id) if m.handled_by_id else None,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "sha256": a.sha256}
                for a in m.attachments
            ],
        }
    return list(rows.values())
