"""Forms kept when they arrived after their session or form token had run out."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.models._base import Timestamp, utcnow

# Longer request paths are not kept (no page of the portal has one).
PATH_LENGTH = 1000


class ParkedForm(Model):
    """What someone typed into a form that came back after their session had ended (idle, or past
    its maximum age) or its form token was no longer valid. It waits here, for its owner only and
    for a limited time (PARKED_FORM_HOURS), until the owner opens the same page again; the page
    then shows it filled in, and nothing is saved until the owner saves it
    (portal/services/parked_forms.py, portal/web/parking.py).

    The owner is a user, or, for a visitor who is not signed in (a registration), the browser:
    the SHA-256 of a random token in its session cookie. Never kept: passwords, the form token,
    files. One per owner and page: a newer one replaces it."""

    __tablename__ = "parked_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    browser_key: Mapped[str | None] = mapped_column(sa.String(64))
    # The page's path and query, as the browser asked for it.
    path: Mapped[str] = mapped_column(sa.String(PATH_LENGTH))
    # [[name, value], ...] in the order the browser sent them (a name may repeat: checkboxes).
    fields: Mapped[list[list[str]]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "path"),
        sa.UniqueConstraint("browser_key", "path"),
        sa.CheckConstraint("(user_id IS NULL) <> (browser_key IS NULL)", name="one_owner"),
    )
