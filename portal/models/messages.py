"""Messages between a provider and the DAS's staff on an application or an agreement (issue 20),
complaints against a decision among them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Timestamp, str_enum, utcnow

if TYPE_CHECKING:
    from portal.models.users import User


class MessageKind(enum.StrEnum):
    MESSAGE = "message"
    # A complaint against a decision under the municipalities' complaints procedure (not an Awb
    # "bezwaar"); filed by the provider, within the period the decision letter names or late.
    COMPLAINT = "complaint"


class Message(Model):
    """One message in the thread of an application or of an agreement (exactly one of the two)."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("framework_agreement.id"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind), default=MessageKind.MESSAGE)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # Written by the DAS's staff (True) or by the provider's people (False).
    from_staff: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # When someone of the other side first opened the thread after this message.
    read_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # Complaints: the last day of the period the decision letter names, whether it came after
    # that day, and when staff closed it (with their reply in the thread).
    complaint_due_on: Mapped[date | None]
    is_late: Mapped[bool] = mapped_column(default=False)
    handled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # A random key the form carries (one per page view): the second request of a double click
    # meets the first one's row at the unique constraint and adds nothing.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", order_by="MessageAttachment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(application_id IS NULL) != (agreement_id IS NULL)", name="message_has_one_subject"
        ),
        sa.UniqueConstraint("author_id", "submission_key"),
    )

    @property
    def is_open_complaint(self) -> bool:
        return self.kind is MessageKind.COMPLAINT and self.handled_at is None


class MessageAttachment(Model):
    """A file sent with a message: checked as evidence is (type sniffed, size, name; see
    portal.services.evidence.receive) and kept in the same store under its SHA-256, in the
    `messages/` folder (the evidence sweep removes a file there that no attachment names)."""

    __tablename__ = "message_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("message.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]

    message: Mapped[Message] = relationship(back_populates="attachments")
