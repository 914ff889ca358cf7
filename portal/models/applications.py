"""Applications for admission, their answers and the evidence behind them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model, db
from portal.models._base import Timestamp, str_enum, utcnow
from portal.models.catalogue import Criterion, Das, EvidenceType, Lot, Product

if TYPE_CHECKING:
    from portal.models.espd import EspdImport
    from portal.models.organisations import Organisation
    from portal.models.users import User


class ApplicationState(enum.StrEnum):
    DRAFT = "draft"  # the provider is filling it in
    SUBMITTED = "submitted"  # received; the review clock runs
    CLARIFICATION = "clarification"  # waiting for the provider's reply; the clock is paused
    DECIDED = "decided"  # every lot admitted or rejected
    WITHDRAWN = "withdrawn"


class ApplicationKind(enum.StrEnum):
    INITIAL = "initial"  # a first application for this DAS
    RENEWED = "renewed"  # a new try after a rejection
    MORE_LOTS = "more_lots"  # an admitted provider applies for further lots
    UPDATE = "update"  # an admitted provider renews its declaration and evidence on request


class Application(Model):
    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    state: Mapped[ApplicationState] = mapped_column(
        str_enum(ApplicationState), default=ApplicationState.DRAFT, index=True
    )
    kind: Mapped[ApplicationKind] = mapped_column(
        str_enum(ApplicationKind), default=ApplicationKind.INITIAL
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    received_at: Mapped[datetime | None] = mapped_column(Timestamp)
    review_deadline: Mapped[date | None] = mapped_column(index=True)
    # 10 by law; extended to at most 15 with a recorded reason.
    review_working_days: Mapped[int] = mapped_column(default=10)
    extension_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Four eyes: one reviewer proposes the decision per lot, another confirms it.
    decision_proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decision_proposed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    assigned_reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The earlier application this one starts from (a new try after rejection, or more lots).
    previous_application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"))
    # The read-only copy of everything submitted (answers, documents, lots, organisation details),
    # written once on submission.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    version_id: Mapped[int] = mapped_column(default=1)

    das: Mapped[Das] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    assigned_reviewer: Mapped[User | None] = relationship(foreign_keys=[assigned_reviewer_id])
    decision_proposed_by: Mapped[User | None] = relationship(foreign_keys=[decision_proposed_by_id])
    previous_application: Mapped[Application | None] = relationship(
        remote_side=[id], foreign_keys=[previous_application_id]
    )
    lots: Mapped[list[ApplicationLot]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        foreign_keys="Answer.application_id",
        order_by="Answer.id",
    )
    products: Mapped[list[Product]] = relationship(
        secondary="application_product", order_by="Product.code"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_draft(self) -> bool:
        return self.state is ApplicationState.DRAFT

    def answer_for(self, criterion: Criterion) -> Answer | None:
        return next((a for a in self.answers if a.criterion_id == criterion.id), None)


class LotOutcome(enum.StrEnum):
    PENDING = "pending"
    ADMITTED = "admitted"
    REJECTED = "rejected"


class ApplicationLot(Model):
    """A lot applied for, and the decision on it."""

    __tablename__ = "application_lot"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lot.id"), index=True)  # queue filter
    outcome: Mapped[LotOutcome] = mapped_column(str_enum(LotOutcome), default=LotOutcome.PENDING)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # Four eyes: a second reviewer confirms (required where the DAS says so).
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(Timestamp)

    application: Mapped[Application] = relationship(back_populates="lots")
    lot: Mapped[Lot] = relationship()

    __table_args__ = (sa.UniqueConstraint("application_id", "lot_id"),)


application_product = sa.Table(
    "application_product",
    db.metadata,
    sa.Column(
        "application_id", sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("product_id", sa.ForeignKey("product.id"), primary_key=True),
)


class ReuseSource(enum.StrEnum):
    """Where a carried-over answer came from (issue 22 adds other DAS instances and the ESPD)."""

    # The same criterion's answer in an earlier application (reused_from_application).
    EARLIER_APPLICATION = "application"
    # The same ground (ESPD code or national ground) answered in an application to another DAS
    # (reused_from_application names it).
    OTHER_DAS = "other_das"
    # An imported ESPD response (reused_from_espd names the import).
    ESPD = "espd"


answer_evidence = sa.Table(
    "answer_evidence",
    db.metadata,
    sa.Column("answer_id", sa.ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("document_id", sa.ForeignKey("evidence_document.id"), primary_key=True),
)


class Answer(Model):
    """A provider's answer to one criterion in one application."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id"))
    value: Mapped[bool | None]
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    self_cleaning: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    # Provenance: set when the answer is carried over into a new draft, cleared as soon as the
    # provider changes it (portal.services.applications). It names the application, not its
    # answer: applications are kept for good, while the privacy purge deletes answers.
    reused_source: Mapped[ReuseSource | None] = mapped_column(str_enum(ReuseSource, length=20))
    reused_from_application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"))
    reused_at: Mapped[datetime | None] = mapped_column(Timestamp)
    reused_from_espd_id: Mapped[int | None] = mapped_column(sa.ForeignKey("espd_import.id"))

    application: Mapped[Application] = relationship(
        back_populates="answers", foreign_keys=[application_id]
    )
    criterion: Mapped[Criterion] = relationship()
    documents: Mapped[list[EvidenceDocument]] = relationship(secondary=answer_evidence)
    reused_from_application: Mapped[Application | None] = relationship(
        foreign_keys=[reused_from_application_id]
    )
    reused_from_espd: Mapped[EspdImport | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("application_id", "criterion_id"),)

    @property
    def is_reused(self) -> bool:
        """Still exactly as carried over from elsewhere."""
        return self.reused_source is not None


class DeclarationRequest(Model):
    """A reviewer asks an admitted provider for an updated declaration and evidence. Any
    application the provider submits to the DAS afterwards answers it."""

    __tablename__ = "declaration_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    due_on: Mapped[date]
    message: Mapped[str] = mapped_column(sa.Text)
    answered_by_application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"))
    answered_at: Mapped[datetime | None] = mapped_column(Timestamp)

    das: Mapped[Das] = relationship()
    requested_by: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class EvidenceDocument(Model):
    """An uploaded document, owned by an organisation and reusable across its applications.

    The bytes live outside the web root under their SHA-256 (portal.services.evidence)."""

    __tablename__ = "evidence_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    evidence_type: Mapped[EvidenceType] = mapped_column(str_enum(EvidenceType, length=40))
    issued_on: Mapped[date]
    expires_on: Mapped[date | None]
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
