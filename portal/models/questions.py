"""Questions and answers on a DAS (nota van inlichtingen, issue 20): a provider asks about the
announcement, the DAS's staff answer, and the answers are published on the public page without
the asker's name. Questions belong to the DAS, not to a change notice: they stay when it changes.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Timestamp, str_enum, utcnow

if TYPE_CHECKING:
    from portal.models.catalogue import Das
    from portal.models.organisations import Organisation
    from portal.models.users import User


class QuestionSubject(enum.StrEnum):
    """What a question is about: the public page groups the answers by it (in this order)."""

    PROCEDURE = "procedure"  # procedure en planning
    EXCLUSION = "exclusion"  # uitsluitingsgronden
    SUITABILITY = "suitability"  # geschiktheidseisen en bewijs
    LOTS = "lots"  # percelen en producten
    TARIFFS = "tariffs"  # tarieven en indexatie
    AGREEMENT = "agreement"  # raamovereenkomst
    OTHER = "other"  # overig


class QuestionState(enum.StrEnum):
    # Waiting for a published answer (a draft answer may be saved meanwhile): staff's work.
    OPEN = "open"
    # Its answer is published (and may have been corrected since).
    ANSWERED = "answered"
    # A duplicate: answered by the question it was merged into (`merged_into`).
    MERGED = "merged"


class Question(Model):
    """One question of a provider's organisation about a DAS's announcement."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    # Numbered per DAS in the order asked, and never renumbered: the public page and the
    # staff's "samengevoegd met vraag N" name a question by it.
    number: Mapped[int]
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    asked_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    subject: Mapped[QuestionSubject] = mapped_column(str_enum(QuestionSubject))
    text: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[QuestionState] = mapped_column(
        str_enum(QuestionState), default=QuestionState.OPEN
    )
    # An answer saved by staff and not yet published (never shown to the provider).
    draft_answer: Mapped[str | None] = mapped_column(sa.Text)
    # The published answer as it reads now (the latest revision), when it was first published
    # and when it was last corrected.
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(Timestamp)
    corrected_at: Mapped[datetime | None] = mapped_column(Timestamp)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id"))

    das: Mapped[Das] = relationship()
    organisation: Mapped[Organisation] = relationship()
    asked_by: Mapped[User] = relationship()
    merged_into: Mapped[Question | None] = relationship(remote_side=[id])
    revisions: Mapped[list[QuestionRevision]] = relationship(
        back_populates="question",
        order_by="QuestionRevision.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (sa.UniqueConstraint("das_id", "number"),)

    @property
    def earlier_answers(self) -> list[QuestionRevision]:
        """The published texts a correction replaced, oldest first."""
        return self.revisions[:-1]


class QuestionRevision(Model):
    """One published text of an answer: the first publication and each correction after it."""

    __tablename__ = "question_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    published_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    question: Mapped[Question] = relationship(back_populates="revisions")
    published_by: Mapped[User] = relationship()
