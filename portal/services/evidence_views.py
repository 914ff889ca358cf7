"""Which evidence each reviewer opened on an application: recorded when a document is viewed or
downloaded, shown to the second reviewer and listed in the assessment report. And how a piece of
evidence is shown beside the answer without downloading it (issue 18).

How it is shown: a PNG or JPEG as it is; a PDF as pictures of its first pages, drawn on the server
(portal.infra.pdf_preview says why); a DOCX or ODT not at all (drawing a Word document needs an
office suite on the server): the reviewer downloads it. Pictures are drawn on every look, not
kept: a page takes about a tenth of a second, and a kept copy of a provider's evidence would be
one more copy the orphan sweep and the privacy purge would have to know of. Browsers keep nothing
either (every signed-in response is no-store).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.infra import pdf_preview
from portal.infra.pdf_preview import PageSize, PreviewFailed
from portal.infra.storage import get_storage
from portal.models import Application, DocumentView, EvidenceDocument, User
from portal.services import evidence, transaction

PDF = "application/pdf"
# Shown as they are, from the portal's own origin, in a sandbox (the review views' headers).
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


class PreviewKind(enum.StrEnum):
    PAGES = "pages"  # a PDF, as pictures of its first pages
    IMAGE = "image"  # a PNG or JPEG, as it is
    NONE = "none"  # a DOCX or ODT, or a PDF that cannot be drawn: the download only


@dataclass(frozen=True)
class Preview:
    kind: PreviewKind
    pages: list[PageSize] = field(default_factory=list)  # the pictures of a PDF's pages
    total_pages: int = 0  # all of a PDF's pages

    @property
    def more_pages(self) -> bool:
        """The PDF has pages beyond those shown: the download has them."""
        return self.total_pages > len(self.pages)


def uploader_of(document: EvidenceDocument) -> User | None:
    """Who uploaded the document (a colleague at the provider's, or gone since)."""
    return db.session.get(User, document.uploaded_by_id)


def _content(document: EvidenceDocument) -> bytes:
    if document.size_bytes > pdf_preview.MAX_BYTES:
        raise PreviewFailed("too large")
    return get_storage().read_bytes(evidence.key_for(document.sha256))


def preview_of(document: EvidenceDocument) -> Preview:
    """What the viewer shows of this document."""
    content_type = evidence.served_type(document)
    if content_type in IMAGE_TYPES:
        return Preview(PreviewKind.IMAGE)
    if content_type != PDF:
        return Preview(PreviewKind.NONE)
    try:
        total, sizes = pdf_preview.page_sizes(_content(document))
    except PreviewFailed:
        return Preview(PreviewKind.NONE)
    return Preview(PreviewKind.PAGES, sizes, total) if sizes else Preview(PreviewKind.NONE)


def page_image(document: EvidenceDocument, page: int) -> bytes:
    """A picture (PNG) of page `page` of a PDF; PreviewFailed when there is none."""
    if evidence.served_type(document) != PDF:
        raise PreviewFailed("not a PDF")
    return pdf_preview.render_page(_content(document), page)


@transaction
def open_evidence(
    application: Application, document: EvidenceDocument, user: User, now: datetime
) -> None:
    """`user` opened `document` as evidence of `application` (viewed or downloaded): record it.
    Two first looks at once (a double click) meet at the unique constraint; the second then
    counts as a later look."""
    try:
        record_view(application, document, user, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        record_view(application, document, user, now)
        db.session.commit()


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
