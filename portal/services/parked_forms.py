"""Forms kept for their owner when they arrived after the session or the form token had run out
(portal/models/parked.py). Who the owner is, and which page a form belongs to, the edge decides
(portal/web/parking.py); it hands over the fields as the browser sent them.

What is never kept: the form token, anything whose name says it is a password, files (the edge
never hands them over), and a form larger than MAX_BYTES or with more than MAX_FIELDS values:
such a form is not kept at all rather than kept in part, since a page filled in with half of it
would look complete.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import ParkedForm
from portal.models.parked import PATH_LENGTH
from portal.services import rows_changed

MAX_BYTES = 64 * 1024
MAX_FIELDS = 500
# Names that are never kept, wherever they occur in a field's name. The pages that ask for a
# code of the second step are never parked at all (portal/web/parking.py); a product, lot or KPI
# code, an AGB code or a postcode is no secret and is kept.
SECRET_WORDS = ("password", "wachtwoord", "passwd", "secret", "csrf_token")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Owner:
    """Whose kept forms these are: a user's, or a browser's that was not signed in (by the
    SHA-256 of a random token in its session cookie; the token itself is not stored)."""

    user_id: int | None = None
    browser_key: str | None = None

    @classmethod
    def user(cls, user_id: int) -> Owner:
        return cls(user_id=user_id)

    @classmethod
    def browser(cls, token: str) -> Owner:
        return cls(browser_key=_hash(token))

    def owns(self) -> sa.ColumnElement[bool]:
        if self.user_id is not None:
            return ParkedForm.user_id == self.user_id
        return sa.and_(ParkedForm.user_id.is_(None), ParkedForm.browser_key == self.browser_key)


@dataclass(frozen=True)
class Kept:
    id: int
    fields: list[tuple[str, str]]


def is_kept(name: str) -> bool:
    """Whether a field of this name may be kept."""
    lowered = name.lower()
    return not any(word in lowered for word in SECRET_WORDS)


def fields_to_keep(pairs: Iterable[tuple[str, str]]) -> list[list[str]] | None:
    """The fields worth keeping, in the order sent; None when the form is too large to keep or
    carries a NUL character (no person types one; no database text column holds one)."""
    kept: list[list[str]] = []
    size = 0
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            return None
        if not is_kept(name):
            continue
        size += len(name.encode()) + len(value.encode())
        kept.append([name, value])
        if size > MAX_BYTES or len(kept) > MAX_FIELDS:
            return None
    return kept


def park(
    owner: Owner,
    path: str,
    pairs: Iterable[tuple[str, str]],
    moment: datetime,
    lifetime: timedelta,
) -> bool:
    """Keep the form for its owner's page until `moment + lifetime`, replacing what was kept for
    that page before; returns whether anything was kept. The owner's expired forms go too."""
    fields = fields_to_keep(pairs)
    if not fields or not path.startswith("/") or len(path) > PATH_LENGTH:
        return False
    for _attempt in range(2):
        db.session.execute(
            sa.delete(ParkedForm).where(
                owner.owns(), sa.or_(ParkedForm.path == path, ParkedForm.expires_at <= moment)
            )
        )
        db.session.add(
            ParkedForm(
                user_id=owner.user_id,
                browser_key=owner.browser_key,
                path=path,
                fields=fields,
                created_at=moment,
                expires_at=moment + lifetime,
            )
        )
        try:
            db.session.commit()
        except IntegrityError:
            # The same form from the same owner at the same time (a double click): the other
            # request's row goes, ours stays.
            db.session.rollback()
            continue
        return True
    return False


def waiting(owner: Owner, path: str, moment: datetime) -> Kept | None:
    """The owner's form kept for this page, if it has not expired."""
    row = db.session.execute(
        db.select(ParkedForm.id, ParkedForm.fields).where(
            owner.owns(), ParkedForm.path == path, ParkedForm.expires_at > moment
        )
    ).first()
    if row is None:
        return None
    return Kept(row.id, [(str(name), str(value)) for name, value in row.fields])


@dataclass(frozen=True)
class Handed:
    """What became of a kept form being handed back: whether this page got it (two tabs opened
    at once: one does), and whether the owner has others waiting."""

    handed: bool
    more_waiting: bool


def consume(owner: Owner, kept: Kept, moment: datetime) -> Handed:
    """Hand the kept form back to its owner's page: delete it, with the owner's expired ones.

    On a connection of its own: this happens while a page is being built, whose unit of work is
    the view's, neither committed nor expired by this bookkeeping."""
    with db.engine.begin() as connection:
        deleted = connection.execute(
            sa.delete(ParkedForm).where(owner.owns(), ParkedForm.id == kept.id)
        )
        connection.execute(
            sa.delete(ParkedForm).where(owner.owns(), ParkedForm.expires_at <= moment)
        )
        more = connection.execute(sa.select(ParkedForm.id).where(owner.owns()).limit(1)).first()
    return Handed(handed=deleted.rowcount == 1, more_waiting=more is not None)


def delete_expired(moment: datetime) -> int:
    """Delete every kept form that expired before `moment`; the caller commits (the privacy
    purge, portal/services/privacy_purge.py). The moment is compared in UTC, as stored: SQLite
    compares the stored text, so a moment in Amsterdam time would be off by an hour or two."""
    return rows_changed(sa.delete(ParkedForm).where(ParkedForm.expires_at <= as_utc(moment)))
