"""API tokens of an organisation (issue 23). OWNER: helper A1 (fills in the bodies; the
signatures are shared with the API helper)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.models import ApiScope, ApiToken, Organisation, User


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def create(user: User, name: str, scopes: list[ApiScope], now: datetime) -> IssuedToken:
    raise NotImplementedError


def revoke(user: User, token_id: int, now: datetime) -> ApiToken:
    raise NotImplementedError


def tokens_of(organisation: Organisation) -> list[ApiToken]:
    raise NotImplementedError


def authenticate(secret: str, now: datetime, ip: str) -> ApiToken | None:
    """The live token with this secret, its creator and organisation loaded; None when the secret
    is unknown, the token revoked, or its creator no longer an active member of the
    organisation. Notes the last use (at most one write per minute per token)."""
    raise NotImplementedError
