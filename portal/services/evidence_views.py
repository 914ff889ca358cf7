"""Which evidence each reviewer opened on an application: recorded when a document is viewed or
downloaded, shown to the second reviewer and listed in the assessment report."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Application, DocumentView, EvidenceDocument, User


def record_view(
    application: Application, document: EvidenceDocument, user: User, now: datetime
) -> None:
    """Note that `user` opened `document` as evidence of `application` (one row per reviewer,
    document and application; a later look moves `last_viewed_at`). The caller commits."""
    view = db.session.scalar(
        db.select(DocumentView).where(
            DocumentView.application_id == application.id,
            DocumentView.document_id == document.id,
            DocumentView.user_id == user.id,
        )
    )
    if view is None:
        db.session.add(
            DocumentView(
                application_id=application.id,
                document_id=document.id,
                user_id=user.id,
                first_viewed_at=now,
                last_viewed_at=now,
                times=1,
            )
        )
    else:
        view.last_viewed_at = now
        view.times += 1


def views_of(application: Application) -> dict[int, list[DocumentView]]:
    """Per document id, who opened it on this application and when (first look first)."""
    found: dict[int, list[DocumentView]] = defaultdict(list)
    for view in db.session.scalars(
        db.select(DocumentView)
        .options(joinedload(DocumentView.user))
        .where(DocumentView.application_id == application.id)
        .order_by(DocumentView.first_viewed_at, DocumentView.id)
    ):
        found[view.document_id].append(view)
    return dict(found)
