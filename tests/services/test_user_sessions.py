"""Server-side session records: what keeps a session alive, and how often it is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import UserSession
from portal.services import user_sessions
from tests import factories

START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LIFETIME = user_sessions.Lifetime(idle=timedelta(minutes=30), maximum=timedelta(hours=12))


def last_seen() -> datetime:
    db.session.expire_all()
    return as_utc(db.session.scalar(db.select(UserSession.last_seen_at)))


def test_last_seen_is_written_every_few_minutes_not_every_request(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    token = user_sessions.begin(user, "192.0.2.1", "Firefox", START)
    stored = db.session.scalar(db.select(UserSession))
    assert stored.token_hash != token and len(stored.token_hash) == 64  # only the hash is kept

    assert user_sessions.signed_in_user(user.id, token, START + timedelta(minutes=4), LIFETIME)
    assert last_seen() == START
    later = START + timedelta(minutes=6)
    assert user_sessions.signed_in_user(user.id, token, later, LIFETIME)
    assert last_seen() == later


def test_a_session_ends_when_idle_too_old_ended_or_its_user_removed(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()

    def alive(token: str, moment: datetime, user_id: int = user.id) -> bool:
        return user_sessions.signed_in_user(user_id, token, moment, LIFETIME) is not None

    idle = user_sessions.begin(user, None, None, START)
    # Last seen is written every five minutes, so idle time counts from up to five minutes back.
    assert not alive(idle, START + timedelta(minutes=36))

    busy = user_sessions.begin(user, None, None, START)
    assert not alive(busy, START, user_id=user.id + 1)  # someone else's id
    assert not alive("geraden", START)
    for minutes in range(25, 12 * 60, 25):  # busy all day: still, never past the maximum
        assert alive(busy, START + timedelta(minutes=minutes))
    assert not alive(busy, START + timedelta(hours=12, minutes=1))

    removed = user_sessions.begin(user, None, None, START)
    user.is_active_account = False
    db.session.commit()
    assert not alive(removed, START)

    user.is_active_account = True
    ended = user_sessions.begin(user, None, None, START)
    user_sessions.end(ended, START)
    assert not alive(ended, START)
