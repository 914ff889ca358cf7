"""The waiting-time register, provider side (issue 23): keeping the entries of an agreement,
through the pages or the API, and the monthly reminder. OWNER: helper R1 (fills in the bodies;
the signatures are shared with the API helper)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.models import FrameworkAgreement, User, WaitingTime


@dataclass(frozen=True)
class EntryInput:
    """One entry as the provider gives it (the form or the API)."""

    lot_id: int
    product_id: int | None
    authority_id: int | None
    weeks_to_intake: int
    weeks_to_treatment: int
    accepts_new_clients: bool
    note: str = ""


def current_entries(agreement: FrameworkAgreement) -> list[WaitingTime]:
    """The entries that count now, in lot, product and authority order."""
    raise NotImplementedError


def update(
    user: User,
    agreement: FrameworkAgreement,
    entries: list[EntryInput],
    now: datetime,
    api_token_id: int | None = None,
) -> list[WaitingTime]:
    """Store entries, all or nothing; each becomes the current one of its key. Refuses with
    ServiceError("waiting_times_refused", problems=[Problem(...)]) when any is wrong."""
    raise NotImplementedError


def confirm(
    user: User, agreement: FrameworkAgreement, now: datetime, api_token_id: int | None = None
) -> int:
    """Confirm every current entry unchanged (a new row each, confirmed_unchanged=True); returns
    how many."""
    raise NotImplementedError
