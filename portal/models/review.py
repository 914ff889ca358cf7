"""The reviewer's records: conflict declarations, assessments, clarifications, decision letters."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model, db
from portal.models._base import Timestamp, str_enum, utcnow
from portal.models.applications import EvidenceDocument

if TYPE_CHECKING:
    from portal.models.users import User


class AutoMark(enum.StrEnum):
    """What the criterion's rule says of an answer (portal.domain.eligibility.Mark)."""

    PASS = "pass"
    FAIL = "fail"
    JUDGEMENT = "judgement"


class ReviewMark(enum.StrEnum):
    """The reviewer's own verdict on an answer."""

    PASS = "pass"
    FAIL = "fail"


class ConflictDeclaration(Model):
    """A reviewer's declaration about a conflict of interest with the applicant."""

    __tablename__ = "conflict_declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    has_conflict: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    declared_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("application_id", "user_id"),)


class Assessment(Model):
    """A reviewer's confirmed or overridden mark on one answer."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id"))
    auto_mark: Mapped[AutoMark] = mapped_column(str_enum(AutoMark))
    mark: Mapped[ReviewMark] = mapped_column(str_enum(ReviewMark))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    assessed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    assessed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    assessed_by: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("application_id", "criterion_id"),)

    @property
    def is_override(self) -> bool:
        return self.auto_mark.value != self.mark.value


clarification_document = sa.Table(
    "clarification_document",
    db.metadata,
    sa.Column(
        "clarification_id", sa.ForeignKey("clarification.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("document_id", sa.ForeignKey("evidence_document.id"), primary_key=True),
)


class Clarification(Model):
    """A request to repair or clarify (herstelverzoek) and the provider's reply. While it is
    open the review clock is paused."""

    __tablename__ = "clarification"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    asked_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    reply_due_on: Mapped[date]
    question: Mapped[str] = mapped_column(sa.Text)
    # The criterion codes the question is about.
    criterion_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    answered_at: Mapped[datetime | None] = mapped_column(Timestamp)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    answer: Mapped[str] = mapped_column(sa.Text, default="")

    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    documents: Mapped[list[EvidenceDocument]] = relationship(secondary=clarification_document)

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class DecisionLetter(Model):
    """The PDF letter telling the provider the outcome per lot, stored under its hash. Recorded
    with the decision (`created_at` is its moment, the letter's date) and rendered by a job once
    the decision has committed (services/letters.py): until then `sha256` is empty."""

    __tablename__ = "decision_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    filename: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(Timestamp)

    @property
    def is_rendered(self) -> bool:
        return self.rendered_at is not None


class ReviewNote(Model):
    """A note between the reviewers of one application: never shown to the provider, kept with
    the application; a working note, so not in the assessment report
    (services/assessment_report.py)."""

    __tablename__ = "review_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    # The criterion the note is about, or None for the application as a whole.
    criterion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("criterion.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    written_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    author: Mapped[User] = relationship()


class DocumentView(Model):
    """A reviewer opened a piece of evidence of an application (inline or as a download): the
    second reviewer sees what the first one looked at, and the assessment report lists it.
    One row per reviewer, document and application; `last_viewed_at` moves on a later look."""

    __tablename__ = "document_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence_document.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    first_viewed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_viewed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    times: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("application_id", "document_id", "user_id"),)


class AssessmentReport(Model):
    """The assessment report (beoordelingsrapport) of a decided application: every verdict,
    reason, reviewer and date, the evidence considered and the four-eyes confirmation. A PDF
    stored under its hash with the decision; part of the official record."""

    __tablename__ = "assessment_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), unique=True)
    # Empty until the job has rendered it (services/assessment_report.py), as a letter's.
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    filename: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(Timestamp)

    @property
    def is_rendered(self) -> bool:
        return self.rendered_at is not None
