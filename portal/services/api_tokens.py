"""API tokens of an organisation (issue 23): its administrator makes them for the organisation's
own software, which reports KPI figures, SROI activities and waiting times through the JSON API
(portal/api/) in the administrator's name.

The secret is `dasp_` and 32 random bytes (URL-safe base64): shown once, stored only as its
SHA-256. A 256-bit random secret needs no slow hash (nothing to guess), and finding it by its hash
through a unique index compares no secret byte by byte in Python, so the time an answer takes
tells nothing about how much of a guess was right (OWASP ASVS 2.9 / 3.5.2).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import ApiScope, ApiToken, Organisation, OrganisationRole, Role, User
from portal.services import ServiceError, transaction
from portal.services.audit import record
from portal.services.ownership import require_organisation_admin

SECRET_PREFIX = "dasp_"
# What the list shows of a secret: `dasp_` and 7 characters, enough to tell tokens apart and
# far too little to guess the rest (2^256 remains).
PREFIX_LENGTH = 12
NAME_MAX_LENGTH = 100
# A secret longer than any we issue is not looked up (no hashing of megabytes on request).
SECRET_MAX_LENGTH = 100
# Live tokens an organisation may hold at once: one per system that reports is plenty.
MAX_LIVE_TOKENS = 25
# The last use is noted at most this often per token: not a write on every request.
LAST_USE_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _same_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _live_tokens(organisation_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            db.select(ApiToken).where(
                ApiToken.organisation_id == organisation_id, ApiToken.revoked_at.is_(None)
            )
        )
    )


@transaction
def create(user: User, name: str, scopes: list[ApiScope], now: datetime) -> IssuedToken:
    """A new token of the user's organisation, for its administrator only. Its name tells the
    administrator which software holds it: unique among the organisation's live tokens (letter
    case and spacing aside). At least one scope."""
    organisation_id = require_organisation_admin(user)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("api_token_name_missing")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError("api_token_name_too_long", limit=NAME_MAX_LENGTH)
    known = {scope.value for scope in ApiScope}
    if any(str(scope) not in known for scope in scopes):
        raise ServiceError("api_token_unknown_scope")
    granted = sorted({str(scope) for scope in scopes})
    if not granted:
        raise ServiceError("api_token_no_scopes")
    # Two administrators making a token of the same name at once: the organisation's row lock
    # (PostgreSQL) makes the second wait and then see the first's token. SQLite ignores the
    # lock but lets one writer at a time: the check runs after our own row is written, so the
    # second writer sees the first's committed row beside its own.
    db.session.execute(
        db.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=organisation_id,
        name=name,
        scopes=granted,
        token_hash=token_hash(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_at=now,
        created_by_id=user.id,
    )
    db.session.add(token)
    db.session.flush()
    others = [other for other in _live_tokens(organisation_id) if other.id != token.id]
    if any(_same_name(other.name) == _same_name(name) for other in others):
        raise ServiceError("api_token_name_taken", name=name)
    if len(others) >= MAX_LIVE_TOKENS:
        raise ServiceError("api_token_limit", limit=MAX_LIVE_TOKENS)
    # Ids and scopes only: never the secret, nor its hash.
    record("api_token.created", token, user, organisation_id=organisation_id, scopes=granted)
    db.session.commit()
    return IssuedToken(token, secret)


def _revoke(token: ApiToken, by: User, now: datetime, reason: str | None = None) -> None:
    token.revoked_at = now
    token.revoked_by_id = by.id
    details: dict[str, Any] = {"scopes": list(token.scopes)}
    if reason is not None:
        details["reason"] = reason
    record("api_token.revoked", token, by, organisation_id=token.organisation_id, **details)


@transaction
def revoke(user: User, token_id: int, now: datetime) -> ApiToken:
    """The administrator revokes one of the organisation's tokens; software using it is refused
    from the next request on. Another organisation's token is not found; a token revoked before
    stays as it was."""
    organisation_id = require_organisation_admin(user)
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.id == token_id).with_for_update())
    if token is None or token.organisation_id != organisation_id:
        raise ServiceError("not_found")
    if token.revoked_at is None:
        _revoke(token, user, now)
        db.session.commit()
    return token


def revoke_tokens_of(creator: User, by: User, now: datetime) -> int:
    """Within the caller's transaction (it commits): revoke every live token `creator` made, when
    they lose access to the organisation (portal.services.accounts.remove_colleague). The tokens
    act in their name, so they stop with them; `authenticate` refuses them anyway."""
    tokens = list(
        db.session.scalars(
            db.select(ApiToken).where(
                ApiToken.created_by_id == creator.id, ApiToken.revoked_at.is_(None)
            )
        )
    )
    for token in tokens:
        _revoke(token, by, now, reason="creator_removed")
    return len(tokens)


def tokens_of(organisation: Organisation) -> list[ApiToken]:
    """The organisation's tokens, live ones first, newest first, with who made them (one query)."""
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .options(joinedload(ApiToken.created_by))
            .where(ApiToken.organisation_id == organisation.id)
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def authenticate(secret: str, now: datetime, ip: str) -> ApiToken | None:
    """The live token with this secret, its creator and organisation loaded; None when the secret
    is unknown, the token revoked, or its creator no longer an active member of the
    organisation. Notes the last use (at most one write per minute per token)."""
    if not secret or len(secret) > SECRET_MAX_LENGTH:
        return None
    creator = aliased(User)
    token = db.session.scalar(
        db.select(ApiToken)
        .join(creator, ApiToken.created_by)
        .options(contains_eager(ApiToken.created_by.of_type(creator)))
        .options(joinedload(ApiToken.organisation))
        .where(
            ApiToken.token_hash == token_hash(secret),
            ApiToken.revoked_at.is_(None),
            # The API acts in its creator's name: only while they still administer the
            # organisation the token belongs to.
            creator.is_active_account.is_(True),
            creator.role == Role.PROVIDER,
            creator.organisation_id == ApiToken.organisation_id,
            creator.organisation_role == OrganisationRole.ADMIN,
        )
    )
    if token is None:
        return None
    last = token.last_used_at
    if last is None or now - as_utc(last) >= LAST_USE_INTERVAL:
        # On a connection of its own, as portal.services.user_sessions notes a session's last
        # use: the request's unit of work is neither committed nor expired by this bookkeeping.
        # Compare-and-set, so requests arriving together write once.
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(ApiToken)
                .where(
                    ApiToken.id == token.id,
                    sa.or_(
                        ApiToken.last_used_at.is_(None),
                        ApiToken.last_used_at <= now - LAST_USE_INTERVAL,
                    ),
                )
                .values(last_used_at=now, last_used_ip=ip[:45])
            )
        set_committed_value(token, "last_used_at", now)
        set_committed_value(token, "last_used_ip", ip[:45])
    return token
