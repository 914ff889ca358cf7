"""Received files kept while the form they came with is corrected."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.models._base import Timestamp, utcnow


class PendingUpload(Model):
    """A file that passed every check of its own (type, size, name) but came with a form that was
    refused (a date to correct). Its bytes are in the evidence store under their SHA-256, like a
    document's; the row lets its uploader use it on the next save without choosing it again, for
    a day (portal.domain.evidence.PENDING_UPLOAD_LIFETIME). Nobody else sees or uses it."""

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
