"""Two-step verification with an authenticator app (TOTP, RFC 6238) and recovery codes.

Required for staff (reviewers, contract managers, administrators): they see every provider's
declarations about convictions and finances (OWASP ASVS 4.0 §2.8, NCSC guideline U/WA.05).
A code is accepted once: the time step it belongs to is stored, and older or equal steps are
refused afterwards, so a code read over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

from portal.extensions import db
from portal.models import RecoveryCode, User
from portal.services import ServiceError
from portal.services.audit import record

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


def confirm(user: User, secret: str, code: str, moment: datetime) -> list[str]:
    """Switch verification on with the code the app shows; returns the recovery codes (shown
    once, never stored in readable form)."""
    step = _matching_step(secret, code, moment)
    if step is None:
        raise ServiceError("totp_wrong_code")
    user.totp_secret = secret
    user.totp_confirmed_at = moment
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record("user.two_factor_enabled", user, user)
    db.session.commit()
    return codes


def verify(user: User, code: str, moment: datetime) -> None:
    """Accept a current code from the app, once, or an unused recovery code."""
    if user.totp_secret is None or user.totp_confirmed_at is None:
        raise ServiceError("totp_not_set_up")
    step = _matching_step(user.totp_secret, code, moment)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise ServiceError("totp_code_used")
        user.totp_last_step = step
        db.session.commit()
        return
    wanted = _hash(code)
    unused = db.session.scalars(
        db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    for recovery in unused:
        if hmac.compare_digest(recovery.code_hash, wanted):
            recovery.used_at = moment
            record("user.recovery_code_used", user, user)
            db.session.commit()
            return
    raise ServiceError("totp_wrong_code")


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
