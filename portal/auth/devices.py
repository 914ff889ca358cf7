"""Device cookies: a browser that logged in to an account before is known for that account
(OWASP, "Slow Down Online Guessing Attacks with Device Cookies"; portal/services/login_throttle.py).

The cookie is signed with SECRET_KEY and holds, per account, the hash the throttle names the
account by and a random nonce that names this device; no address, no password. It travels
only to the log-in page. One browser may know a few accounts (colleagues sharing a computer).
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from werkzeug.wrappers import Response

from portal.infra import tokens
from portal.services.login_throttle import account_key

DEVICE_COOKIE = "das_device"
PURPOSE = "device"
MAX_ACCOUNTS = 5


def _max_age() -> int:
    return int(current_app.config["DEVICE_COOKIE_DAYS"]) * 24 * 3600


def _entries() -> list[tuple[str, str]]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        payload = tokens.read(PURPOSE, raw, _max_age())
    except tokens.InvalidToken:
        return []
    if not isinstance(payload, list):
        return []
    return [
        (entry[0], entry[1])
        for entry in payload
        if isinstance(entry, list)
        and len(entry) == 2
        and all(isinstance(part, str) for part in entry)
    ]


def trusted_device(email: str) -> str | None:
    """The nonce of this browser's device cookie for the account, if it has a valid one."""
    account = account_key(email)
    return next((nonce for key, nonce in _entries() if key == account), None)


def remember_device(response: Response, email: str) -> Response:
    """After a complete log-in: this browser is now known for the account (a new nonce, and
    a fresh lifetime for the whole cookie)."""
    account = account_key(email)
    others = [[key, nonce] for key, nonce in _entries() if key != account]
    entries = [[account, secrets.token_urlsafe(16)], *others][:MAX_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        tokens.make(PURPOSE, entries),
        max_age=_max_age(),
        path="/inloggen",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


# (marker in the User-Agent header, name shown), first match wins: Edge and Opera also say
# "Chrome", Chrome also says "Safari", Android also says "Linux".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_name(user_agent: str | None) -> str | None:
    """A short name for the browser and system of a session ("Firefox, Windows"), from its
    User-Agent header; None when neither is recognised."""
    agent = user_agent or ""
    parts = [
        next((name for marker, name in table if marker in agent), None)
        for table in (_BROWSERS, _SYSTEMS)
    ]
    known = [part for part in parts if part]
    return ", ".join(known) if known else None
