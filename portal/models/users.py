"""Users and their roles."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import Model
from portal.models._base import Timestamp, str_enum, utcnow

if TYPE_CHECKING:
    from portal.models.catalogue import Das
    from portal.models.organisations import Organisation


def hash_password(password: str) -> str:
    """Werkzeug's hash with the configured method: scrypt, a memory-hard current algorithm, in
    production (PASSWORD_HASH_METHOD)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


class Role(enum.StrEnum):
    """Every user has exactly one role; the anonymous public has none."""

    # Works for a youth-care provider; sees and edits only its own organisation's data.
    PROVIDER = "provider"
    # Procurement reviewer (inkoopadviseur): assesses applications of the DAS instances assigned.
    REVIEWER = "reviewer"
    # Contract manager: follows admitted providers (agreements, KPIs, SROI, contract talks).
    CONTRACT_MANAGER = "contract_manager"
    # Procurement lead who configures DAS instances, catalogues and tariffs; sees everything.
    ADMINISTRATOR = "administrator"

    @property
    def is_staff(self) -> bool:
        return self is not Role.PROVIDER


STAFF_ROLES = frozenset({Role.REVIEWER, Role.CONTRACT_MANAGER, Role.ADMINISTRATOR})


class OrganisationRole(enum.StrEnum):
    """A provider user's standing inside the organisation."""

    # Manages colleagues and may submit and sign for the organisation.
    ADMIN = "admin"
    # May edit drafts, not submit.
    CONTRIBUTOR = "contributor"


class User(UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    organisation_role: Mapped[OrganisationRole | None] = mapped_column(str_enum(OrganisationRole))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Authorised to sign for the organisation: may submit applications and sign agreements.
    is_signatory: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # Two-step verification (TOTP, RFC 6238), required for staff: the shared secret, when it was
    # confirmed, and the last time step used (a code works once, OWASP ASVS 2.8.4).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The secret being set up, until the first code confirms it: kept here, never in the
    # (readable) session cookie.
    totp_pending_secret: Mapped[str | None] = mapped_column(sa.String(64))
    # The interface language the user chose (nl or en); mails to the user are written in it.
    locale: Mapped[str] = mapped_column(sa.String(5), default="nl", server_default="nl")
    # Staff: the daily mail listing their tasks (portal.services.staff_tasks); they may turn it off.
    wants_daily_digest: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    das_assignments: Mapped[list[Das]] = relationship(secondary="staff_assignment")

    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'provider') = (organisation_id IS NOT NULL)", name="provider_has_organisation"
        ),
    )

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:  # Flask-Login
        """The session names the user and the password it was opened with: a password change
        or reset ends every other session of this user (OWASP ASVS 3.3.3)."""
        return f"{self.id}:{hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def needs_two_factor(self) -> bool:
        """Staff see every provider's declarations: they log in with a second factor. So does a
        provider who turned it on, and every colleague in an organisation that requires it
        (without it yet, they set it up at log-in)."""
        if self.role.is_staff or self.totp_confirmed_at is not None:
            return True
        return self.organisation is not None and self.organisation.requires_two_factor

    @property
    def may_submit(self) -> bool:
        """Only the organisation's administrator or an authorised signatory submits and signs."""
        return self.role is Role.PROVIDER and (
            self.organisation_role is OrganisationRole.ADMIN or self.is_signatory
        )

    @property
    def is_organisation_admin(self) -> bool:
        return self.role is Role.PROVIDER and self.organisation_role is OrganisationRole.ADMIN

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


class StaffAssignment(Model):
    """Which DAS instances a reviewer or contract manager works on."""

    __tablename__ = "staff_assignment"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), primary_key=True)


class Invitation(Model):
    """An organisation administrator's invitation to a colleague (accepted through a signed link)."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    organisation_role: Mapped[OrganisationRole] = mapped_column(str_enum(OrganisationRole))
    is_signatory: Mapped[bool] = mapped_column(default=False)
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)

    invited_by: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class UserSession(Model):
    """One signed-in browser. The session cookie carries a random token; only its SHA-256 is kept
    here, and the user loader accepts the cookie only while this row has not ended, so log-out
    ends the session on the server too (OWASP ASVS 3.3.1)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Updated every few minutes at most, not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """Single-use codes for when the authenticator app is lost; only their SHA-256 is kept
    (they are random, 48 bits each, and single-use, so a fast hash suffices)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class StaffInvitation(Model):
    """An administrator's invitation to a reviewer, contract manager or administrator to work on
    one DAS (issue 19), accepted through a signed, expiring link that makes the account. A member
    of staff who already has an account is given the DAS at once, without an invitation."""

    __tablename__ = "staff_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)

    das: Mapped[Das] = relationship()
    invited_by: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
