"""ESPD (UEA) response documents a provider imported (issue 22). The file itself is not kept: what
was read from it is, so the provider and reviewers can see where carried answers came from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Timestamp, utcnow

if TYPE_CHECKING:
    from portal.models.applications import Application
    from portal.models.users import User


class EspdImport(Model):
    """One accepted ESPD response upload, into one draft application."""

    __tablename__ = "espd_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # The draft it filled (None once the draft is gone: drafts may be withdrawn or purged).
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("application.id", ondelete="SET NULL"), index=True
    )
    imported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    imported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # From the document: its UUID (or ID), issue date, ESPD-EDM version, the contracting authority
    # and the procedure it was made for.
    document_uuid: Mapped[str] = mapped_column(sa.String(200), default="")
    issue_date: Mapped[date | None]
    edm_version: Mapped[str] = mapped_column(sa.String(40), default="")
    contracting_party: Mapped[str] = mapped_column(sa.String(300), default="")
    procedure: Mapped[str] = mapped_column(sa.String(300), default="")
    # What was filled and what could not be mapped, and why (portal.services.espd_import).
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    application: Mapped[Application | None] = relationship()
    imported_by: Mapped[User] = relationship()
