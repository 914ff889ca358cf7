"""Two-step verification with an authenticator app (TOTP, RFC 6238) and recovery codes.

Required for staff (reviewers, contract managers, administrators): they see every provider's
declarations about convictions and finances (OWASP ASVS 4.0 §2.8, NCSC guideline U/WA.05).
Providers may turn it on for their own account, and an organisation's administrator may require
it of every colleague.

A code is accepted once: the time step it belongs to is claimed with one compare-and-set UPDATE,
and older or equal steps are refused afterwards, so a code read over someone's shoulder cannot
be replayed, not even by posting it several times at once (a read followed by a write let two of
four parallel posts through). Recovery codes are claimed the same way.

The secret being set up is kept on the user's row until the first code confirms it, never in
the session cookie (signed, but readable by whoever holds it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import sqlalchemy as sa

from portal.extensions import db
from portal.models import RecoveryCode, User
from portal.services import ServiceError, rows_changed
from portal.services.audit import record
from portal.services.ownership import require_organisation_admin

ISSUER = "DAS-portaal jeugdhulp"
STEP_SECONDS = 30
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step (now, or one step either side for clock drift) whose code this is."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = _step(moment)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(6)  # 48 bits each, shown as xxxx-xxxx-xxxx
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def pending_secret(user: User) -> str:
    """The secret the user is setting up: made and stored on the first visit of the set-up page,
    the same on a reload (the app may have scanned it already)."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = new_secret()
        db.session.commit()
    return user.totp_pending_secret


def confirm(user: User, code: str, moment: datetime) -> list[str]:
    """Switch verification on with the code the app shows for the pending secret; returns the
    recovery codes (shown once, never stored in readable form)."""
    secret = user.totp_pending_secret
    if secret is None:
        raise ServiceError("totp_not_set_up")
    step = _matching_step(secret, code, moment)
    if step is None:
        raise ServiceError("totp_wrong_code")
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_confirmed_at = moment
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record("user.two_factor_enabled", user, user, organisation_id=user.organisation_id)
    db.session.commit()
    return codes


def _claim_step(user: User, step: int) -> bool:
    """Compare-and-set: the step becomes the last one used only if it is newer than the last
    one used; of several requests with one code exactly one wins."""
    claimed = rows_changed(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return claimed == 1


def _claim_recovery_code(recovery_id: int, moment: datetime) -> bool:
    claimed = rows_changed(
        sa.update(RecoveryCode)
        .where(RecoveryCode.id == recovery_id, RecoveryCode.used_at.is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    return claimed == 1


def verify(user: User, code: str, moment: datetime) -> None:
    """Accept a current code from the app, once, or an unused recovery code, once."""
    if user.totp_secret is None or user.totp_confirmed_at is None:
        raise ServiceError("totp_not_set_up")
    step = _matching_step(user.totp_secret, code, moment)
    if step is not None:
        claimed = _claim_step(user, step)
        db.session.commit()
        if not claimed:
            raise ServiceError("totp_code_used")
        return
    wanted = _hash(code)
    unused = db.session.execute(
        db.select(RecoveryCode.id, RecoveryCode.code_hash).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    for recovery_id, code_hash in unused:
        if hmac.compare_digest(code_hash, wanted):
            if not _claim_recovery_code(recovery_id, moment):
                db.session.rollback()
                break  # used a moment ago by a request in parallel
            record("user.recovery_code_used", user, user, organisation_id=user.organisation_id)
            db.session.commit()
            return
    raise ServiceError("totp_wrong_code")


def disable(user: User, password: str, moment: datetime) -> None:
    """A provider turns verification off, with the password. Staff cannot, and neither can a
    provider whose organisation requires it."""
    if user.totp_confirmed_at is None:
        raise ServiceError("totp_not_set_up")
    if user.role.is_staff:
        raise ServiceError("two_factor_required_for_staff")
    if user.organisation is not None and user.organisation.requires_two_factor:
        raise ServiceError("two_factor_required_by_organisation")
    if not user.check_password(password):
        raise ServiceError("wrong_password")
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("user.two_factor_disabled", user, user, organisation_id=user.organisation_id)
    db.session.commit()


def require_for_organisation(admin: User, required: bool) -> bool:
    """The organisation's administrator requires two-step verification of every colleague (or
    no longer does); colleagues without it set it up at their next log-in. The administrator
    turns it on for their own account first. Returns whether anything changed."""
    require_organisation_admin(admin)
    organisation = admin.organisation
    assert organisation is not None  # require_organisation_admin: the administrator of one
    if required and admin.totp_confirmed_at is None:
        raise ServiceError("two_factor_enable_first")
    if organisation.requires_two_factor == required:
        return False
    organisation.requires_two_factor = required
    record(
        "organisation.two_factor_required" if required else "organisation.two_factor_optional",
        organisation,
        admin,
        organisation_id=organisation.id,
    )
    db.session.commit()
    return True


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()
