"""Server-side records of signed-in browsers, so that signing out ends a session for good.

The session cookie is signed, not secret, and a copy of it would otherwise stay valid until it
expires. It carries a random token instead; the database keeps only the token's SHA-256, and a
request is signed in only while that row has not ended (OWASP ASVS 4.0 3.3.1: log-out
invalidates the session token; 3.3.4: the user can see and end their other sessions).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import User, UserSession
from portal.services import ServiceError, rows_changed

# "Last seen" is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=5)
USER_AGENT_LENGTH = 300
ADDRESS_LENGTH = 45


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin(user: User, address: str | None, user_agent: str | None, moment: datetime) -> str:
    """A new session for the user; returns the token for the cookie (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user.id,
            created_at=moment,
            last_seen_at=moment,
            ip_address=(address or "")[:ADDRESS_LENGTH] or None,
            user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
        )
    )
    db.session.commit()
    return token


@dataclass(frozen=True)
class Lifetime:
    """How long a session lasts: signed out after `idle` without a request, and after
    `maximum` whatever happens."""

    idle: timedelta
    maximum: timedelta

    def live(self, moment: datetime) -> sa.ColumnElement[bool]:
        # Last seen is written every few minutes only: idle counts from the last write.
        return sa.and_(
            UserSession.ended_at.is_(None),
            UserSession.created_at > moment - self.maximum,
            UserSession.last_seen_at > moment - self.idle - TOUCH_INTERVAL,
        )


def signed_in_user(user_id: int, token: str, moment: datetime, lifetime: Lifetime) -> User | None:
    """The user of a live session, in one query: the token's row must exist, be the user's and
    not have ended or expired, and the account must still be active. A provider's organisation
    comes in the same query (nearly every provider page reads it; found by `make bench`)."""
    row = (
        db.session.execute(
            db.select(User, UserSession.id, UserSession.last_seen_at)
            .join(UserSession, UserSession.user_id == User.id)
            .options(joinedload(User.organisation))
            .where(
                User.id == user_id,
                User.is_active_account.is_(True),
                UserSession.token_hash == _hash(token),
                lifetime.live(moment),
            )
        )
        .tuples()
        .first()
    )
    if row is None:
        return None
    user, session_id, last_seen = row
    if moment - as_utc(last_seen) >= TOUCH_INTERVAL:
        # On a connection of its own: the request's unit of work is neither committed nor
        # expired by this bookkeeping.
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(UserSession)
                .where(UserSession.id == session_id)
                .values(last_seen_at=moment)
            )
    return user


def lapsed_user(token: str, moment: datetime, lifetime: Lifetime) -> User | None:
    """The user of a session that ran out by itself (idle, or past its maximum age) within the
    last `lifetime.maximum`, but that nobody ended: a log-out, "log out everywhere", a password
    change or a removed colleague end the record, and then no one is found. What a browser
    typed into a form after its session lapsed is kept for this user (portal/web/parking.py);
    it is shown again only once they have logged in."""
    return db.session.scalar(
        db.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == _hash(token),
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at > moment - lifetime.maximum,
            User.is_active_account.is_(True),
        )
    )


def end(token: str | None, moment: datetime) -> None:
    """Sign out: the session's cookie opens nothing any more."""
    if not token:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=moment)
    )
    db.session.commit()


def end_all(user: User, moment: datetime, keep: str | None = None) -> int:
    """End every session of the user but the one whose token is `keep`; returns how many ended."""
    statement = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep:
        statement = statement.where(UserSession.token_hash != _hash(keep))
    ended = rows_changed(statement.values(ended_at=moment))
    db.session.commit()
    return ended


def end_one(user: User, session_id: int, moment: datetime) -> None:
    """End one of the user's own sessions (another user's is "not found")."""
    ended = rows_changed(
        sa.update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=moment)
    )
    if ended != 1:
        db.session.rollback()
        raise ServiceError("not_found")
    db.session.commit()


def active(user: User, moment: datetime, lifetime: Lifetime) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    return list(
        db.session.scalars(
            db.select(UserSession)
            .where(UserSession.user_id == user.id, lifetime.live(moment))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def is_current(record: UserSession, token: str | None) -> bool:
    return bool(token) and record.token_hash == _hash(token or "")
