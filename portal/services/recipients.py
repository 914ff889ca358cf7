"""Who at a provider gets its mail: one answer for every message a service sends a provider.

A provider's mail (decisions, questions about an application, agreements to sign, suspensions,
requests for a declaration, new tariffs) goes to the people who act on it: active accounts of the
organisation that submit and sign for it, its administrators and authorised signatories
(`User.may_submit`). KPI figures are reported by anyone at the provider, so their reminders go to
every active account (`reporters=True`).
"""

from __future__ import annotations

from collections.abc import Iterable

from portal.extensions import db
from portal.models import User


def provider_recipients(
    organisation_ids: int | Iterable[int], *, reporters: bool = False
) -> list[User]:
    """The users of these organisations who get a provider's mail, in a stable order."""
    ids = [organisation_ids] if isinstance(organisation_ids, int) else list(organisation_ids)
    if not ids:
        return []
    users = db.session.scalars(
        db.select(User)
        .where(User.organisation_id.in_(ids), User.is_active_account.is_(True))
        .order_by(User.id)
    )
    return [user for user in users if reporters or user.may_submit]
