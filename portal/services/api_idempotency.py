"""Idempotency keys of the API (issue 23): a provider's software may send a POST again (a lost
answer, a time-out) with the same `Idempotency-Key` and get the first answer back instead of a
second report. After the IETF draft "The Idempotency-Key HTTP Header Field" and Stripe's API.

A key is claimed in the same transaction as the work it guards: the claim is flushed before the
service runs and committed by the service's own commit, so a refused request (a ServiceError,
rolled back by the service) leaves no claim and the key may be used again, and a request that
did its work has its claim. A second request with the key while the first still runs waits for
the first's transaction on the unique (token, key) index and is then refused as concurrent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import ApiIdempotencyKey
from portal.services import ServiceError

# How long a key is remembered (the draft suggests at least 24 hours).
KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# A claim whose work has not finished (yet) carries this status.
PENDING = 0


@dataclass(frozen=True)
class Replay:
    """The stored answer to a request made before with the same key and body."""

    status_code: int
    response: dict[str, Any]


def is_valid_key(key: str) -> bool:
    """1 to 255 printable ASCII characters (the header's value is an sf-string)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(" " <= c <= "~" for c in key)


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _claim_of(token_id: int, key: str) -> ApiIdempotencyKey | None:
    return db.session.scalar(
        db.select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key
        )
    )


def claim(
    token_id: int, key: str, method: str, path: str, request_sha256: str, now: datetime
) -> Replay | None:
    """Claim `key` for this request (flushed, not committed: the work's commit commits it), or
    the stored answer when the same request came before. Refuses "idempotency_key_reused" when
    the key was used for another request (method, path or body), "idempotency_key_in_use"
    while a request with the key has not finished."""
    found = _claim_of(token_id, key)
    if found is not None and as_utc(found.created_at) + KEEP >= now:
        if (found.method, found.path, found.request_sha256) != (method, path, request_sha256):
            raise ServiceError("idempotency_key_reused")
        if found.status_code == PENDING:
            raise ServiceError("idempotency_key_in_use")
        return Replay(found.status_code, dict(found.response))
    if found is not None:
        # Expired but not purged yet: the key is free again.
        db.session.delete(found)
        db.session.flush()
    claimed = ApiIdempotencyKey(
        token_id=token_id,
        key=key,
        method=method,
        path=path,
        request_sha256=request_sha256,
        status_code=PENDING,
        response={},
        created_at=now,
    )
    # No savepoint: on SQLite (pysqlite) releasing one would commit the claim at once.
    db.session.add(claimed)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another request claimed the key first (and committed, or we waited for it to).
        db.session.rollback()
        raise ServiceError("idempotency_key_in_use") from error
    return None


def answer(token_id: int, key: str, status_code: int, response: dict[str, Any]) -> None:
    """Store the answer of the request that claimed `key`, after its work was committed."""
    db.session.execute(
        sa.update(ApiIdempotencyKey)
        .where(ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key)
        .values(status_code=status_code, response=response)
    )
    db.session.commit()


def purge(now: datetime) -> int:
    """Forget keys older than KEEP; returns how many."""
    result = db.session.execute(
        sa.delete(ApiIdempotencyKey).where(ApiIdempotencyKey.created_at < now - KEEP)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
