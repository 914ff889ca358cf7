"""API tokens for providers' own software, and the idempotency keys of its requests (issue 23)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Timestamp, utcnow

if TYPE_CHECKING:
    from portal.models.organisations import Organisation
    from portal.models.users import User


class ApiScope(enum.StrEnum):
    """What a token may do. Each scope is one part of the provider's reporting."""

    KPI = "kpi"  # report KPI figures
    SROI = "sroi"  # report social-return (SROI) activities
    WAITING_TIMES = "waiting_times"  # keep the waiting-time register


class ApiToken(Model):
    """A named token of one organisation. The secret is shown once; only its SHA-256 is stored (a
    random 256-bit secret needs no slow hash: nothing to guess)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # The ApiScope values granted, sorted.
    scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the secret, shown in the list so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # The administrator who made it; the API acts in this user's name (audit), and the token
    # stops working when this user leaves the organisation or is deactivated.
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_used_ip: Mapped[str] = mapped_column(sa.String(45), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiIdempotencyKey(Model):
    """A request made with an `Idempotency-Key` header and the response it got: the same key with
    the same body gets the same response again without doing the work twice; the same key with
    another body is refused."""

    __tablename__ = "api_idempotency_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # Method, path and the SHA-256 of the body: what the key was first used for.
    method: Mapped[str] = mapped_column(sa.String(10))
    path: Mapped[str] = mapped_column(sa.String(500))
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("token_id", "key"),
        sa.Index("ix_api_idempotency_key_created_at", "created_at"),
    )
