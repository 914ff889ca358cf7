"""The signed-in session at the edge: the cookie names a server-side session record
(portal/services/user_sessions.py), and the user loader accepts it only while that record lives.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request, session

from portal.infra.timeutil import now
from portal.models import User
from portal.services import user_sessions

# The session cookie's key for the token of the server-side record.
TOKEN_KEY = "sid"


def lifetime() -> user_sessions.Lifetime:
    return user_sessions.Lifetime(
        idle=timedelta(minutes=int(current_app.config["IDLE_TIMEOUT_MINUTES"])),
        maximum=timedelta(hours=int(current_app.config["SESSION_MAX_HOURS"])),
    )


def current_token() -> str | None:
    token = session.get(TOKEN_KEY)
    return token if isinstance(token, str) else None


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: one query for the user and the session record together.
    The id also names the password the session began with (User.get_id), so a password change
    or reset ends every other session even before its records are ended."""
    user_id = session_id.partition(":")[0]
    token = current_token()
    if not user_id.isdigit() or token is None:
        return None
    user = user_sessions.signed_in_user(int(user_id), token, now(), lifetime())
    if user is None or user.get_id() != session_id:
        return None
    return user


def begin(user: User) -> None:
    """Record a new session for the user and put its token in the (fresh) session cookie."""
    session[TOKEN_KEY] = user_sessions.begin(
        user, request.remote_addr, request.user_agent.string, now()
    )


def end_current() -> None:
    """End the server-side record of this browser's session."""
    user_sessions.end(session.pop(TOKEN_KEY, None), now())
