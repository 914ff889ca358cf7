"""Received files kept while their form is corrected (issue 17: "a refused upload keeps type and
dates but empties the file: keep the received file as pending so the user does not choose it
again").

A file that passed its own checks (portal.services.evidence.receive) but came with a date to
correct is published to the evidence store under its hash and gets a row here, owned by the
organisation and the user who sent it. The next save of that user uses it when no new file is
chosen; it becomes a document then (promote). Nobody else can see or use it, and after
PENDING_UPLOAD_LIFETIME it is gone (evidence.remove_orphans removes the rows, then the files).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from portal.domain import evidence as rules
from portal.extensions import db
from portal.infra.storage import get_storage
from portal.infra.timeutil import as_utc
from portal.models import EvidenceDocument, EvidenceType, Organisation, PendingUpload, User
from portal.services import ServiceError, transaction
from portal.services import evidence as documents
from portal.services.ownership import require_provider_of


def keep(
    organisation: Organisation,
    user: User,
    received: documents.Received,
    now: datetime,
    replaces: int | None = None,
) -> PendingUpload:
    """Publish a received file as the user's pending upload. `replaces` is the id of an earlier
    pending upload of the same user that this one takes the place of (a newly chosen file): it
    goes. The scratch copy goes in any case."""
    require_provider_of(user, organisation.id)
    created = False
    try:
        created = documents.publish(received.sha256, received.tmp_path)
        if replaces is not None:
            db.session.execute(
                sa.delete(PendingUpload).where(
                    PendingUpload.id == replaces,
                    PendingUpload.organisation_id == organisation.id,
                    PendingUpload.user_id == user.id,
                ),
                execution_options={"synchronize_session": False},
            )
        pending = PendingUpload(
            organisation_id=organisation.id,
            user_id=user.id,
            filename=received.filename,
            content_type=received.content_type,
            size_bytes=received.size,
            sha256=received.sha256,
            created_at=now,
        )
        db.session.add(pending)
        db.session.commit()
        return pending
    except BaseException:
        db.session.rollback()
        if created:
            get_storage().delete(documents.key_for(received.sha256))
        raise
    finally:
        documents.discard_received(received.tmp_path)


def owned(pending_id: int, user: User, now: datetime) -> PendingUpload:
    """The user's own pending upload, still within its lifetime. Another user's (in the same
    organisation or not), an expired one and an id that names nothing are all the same refusal:
    `pending_upload_gone`."""
    pending = db.session.scalar(
        db.select(PendingUpload).where(
            PendingUpload.id == pending_id,
            PendingUpload.user_id == user.id,
            PendingUpload.organisation_id == user.organisation_id,
        )
    )
    if pending is None or rules.pending_upload_expired(as_utc(pending.created_at), now):
        raise ServiceError("pending_upload_gone")
    return pending


@transaction
def promote(
    pending_id: int,
    user: User,
    now: datetime,
    evidence_type: EvidenceType,
    issued_on: date,
    expires_on: date | None,
) -> EvidenceDocument:
    """Turn the user's pending upload into a document of the organisation, with the dates now
    given (checked by the caller against the rules of the page)."""
    pending = owned(pending_id, user, now)
    organisation = db.session.get(Organisation, pending.organisation_id)
    assert organisation is not None
    require_provider_of(user, organisation.id)
    try:
        documents.publish(pending.sha256, None)
    except FileNotFoundError as error:  # purged meanwhile, or the store lost it
        db.session.delete(pending)
        db.session.commit()
        raise ServiceError("pending_upload_gone") from error
    document = documents.add_document(
        organisation,
        user,
        sha256=pending.sha256,
        filename=pending.filename,
        content_type=pending.content_type,
        size=pending.size_bytes,
        evidence_type=evidence_type,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    db.session.delete(pending)
    db.session.commit()
    return document
