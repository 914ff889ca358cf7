"""The waiting-time register, provider side (issue 23): keeping the entries of an agreement,
through the pages or the API, and the monthly reminder. OWNER: helper R1 (fills in the bodies;
the signatures are shared with the API helper)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from portal.domain import waiting_times as rules
from portal.extensions import db
from portal.infra.timeutil import as_utc, local_date
from portal.models import (
    AgreementLot,
    AgreementState,
    AuthorityKind,
    ContractingAuthority,
    FrameworkAgreement,
    Lot,
    Product,
    User,
    WaitingTime,
    WaitingTimeReminder,
    das_authority,
)
from portal.services import Problem, ServiceError, transaction
from portal.services.audit import record
from portal.services.ownership import require_provider_of
from portal.services.recipients import provider_recipients

# The key of an entry: one current entry per agreement, lot, product (or None) and authority
# (or None), as the unique indexes on current entries say.
Key = tuple[int, int | None, int | None]


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

    @property
    def key(self) -> Key:
        return (self.lot_id, self.product_id, self.authority_id)


def key_of(entry: WaitingTime) -> Key:
    return (entry.lot_id, entry.product_id, entry.authority_id)


def _order(entry: WaitingTime) -> tuple[object, ...]:
    """Lot by lot in the DAS's order; the whole lot first, then its products by code; within
    each, the whole region first, then subregions and municipalities by name."""
    product, authority = entry.product, entry.authority
    return (
        entry.lot.position,
        entry.lot_id,
        product is not None,
        product.code if product else "",
        authority is not None,
        authority.kind is not AuthorityKind.SUBREGION if authority else False,
        authority.name if authority else "",
    )


def current_entries(agreement: FrameworkAgreement) -> list[WaitingTime]:
    """The entries that count now, in lot, product and authority order."""
    entries = db.session.scalars(
        db.select(WaitingTime)
        .where(WaitingTime.agreement_id == agreement.id, WaitingTime.is_current.is_(True))
        .options(
            joinedload(WaitingTime.lot),
            joinedload(WaitingTime.product),
            joinedload(WaitingTime.authority),
        )
        .execution_options(populate_existing=True)
    ).all()
    return sorted(entries, key=_order)


def current_lots(agreement: FrameworkAgreement) -> list[Lot]:
    """The lots the provider is admitted to now, in the DAS's order, with their products. One
    query."""
    return list(
        db.session.scalars(
            db.select(Lot)
            .join(AgreementLot, AgreementLot.lot_id == Lot.id)
            .where(AgreementLot.agreement_id == agreement.id, AgreementLot.ended_on.is_(None))
            .options(selectinload(Lot.products))
            .order_by(Lot.position, Lot.id)
        )
    )


def offered_products(lot: Lot, today: date) -> list[Product]:
    """The lot's products valid on `today`, by code."""
    return sorted(
        (
            p
            for p in lot.products
            if (p.valid_from is None or p.valid_from <= today)
            and (p.valid_to is None or p.valid_to >= today)
        ),
        key=lambda p: p.code,
    )


def served_authorities(agreement: FrameworkAgreement) -> list[ContractingAuthority]:
    """The municipalities of the DAS and the subregions grouping them: what an entry may be for
    besides the whole region. Subregions first, then municipalities, each by name. One query."""
    of_das = db.select(das_authority.c.authority_id).where(
        das_authority.c.das_id == agreement.das_id
    )
    parents = db.select(ContractingAuthority.parent_id).where(
        ContractingAuthority.id.in_(of_das), ContractingAuthority.parent_id.is_not(None)
    )
    found = db.session.scalars(
        db.select(ContractingAuthority).where(
            sa.or_(ContractingAuthority.id.in_(of_das), ContractingAuthority.id.in_(parents))
        )
    )
    return sorted(found, key=lambda a: (a.kind is not AuthorityKind.SUBREGION, a.name))


def entry_problems(
    agreement: FrameworkAgreement, entries: Sequence[EntryInput], today: date
) -> list[Problem]:
    """Everything wrong with the entries, each problem naming its entry (0-based `entry`) and
    the `field` it is about, so a form or the API can put it where it belongs."""
    lots = {lot.id: lot for lot in current_lots(agreement)}
    authorities = {a.id for a in served_authorities(agreement)}
    problems: list[Problem] = []
    seen: dict[Key, int] = {}
    for number, entry in enumerate(entries):
        lot = lots.get(entry.lot_id)
        if lot is None:
            problems.append(Problem("waiting_lot_not_in_agreement", entry=number, field="lot_id"))
        elif entry.product_id is not None and entry.product_id not in {
            p.id for p in offered_products(lot, today)
        }:
            problems.append(Problem("waiting_product_not_in_lot", entry=number, field="product_id"))
        if entry.authority_id is not None and entry.authority_id not in authorities:
            problems.append(
                Problem("waiting_authority_not_in_das", entry=number, field="authority_id")
            )
        for code in rules.entry_problems(
            entry.weeks_to_intake, entry.weeks_to_treatment, entry.note
        ):
            if code == "waiting_note_too_long":
                field, maximum = "note", rules.MAX_NOTE_LENGTH
            elif code == "waiting_weeks_out_of_range":
                intake_ok = 0 <= entry.weeks_to_intake <= rules.MAX_WEEKS
                field = "weeks_to_treatment" if intake_ok else "weeks_to_intake"
                maximum = rules.MAX_WEEKS
            else:
                field, maximum = "weeks_to_treatment", rules.MAX_WEEKS
            problems.append(Problem(code, entry=number, field=field, maximum=maximum))
        if entry.key in seen:
            problems.append(
                Problem(
                    "waiting_entry_repeated", entry=number, field="lot_id", first=seen[entry.key]
                )
            )
        else:
            seen[entry.key] = number
    return problems


def _require_keeper(user: User, agreement: FrameworkAgreement) -> None:
    require_provider_of(user, agreement.organisation_id)
    if agreement.state is not AgreementState.LIVE:
        raise ServiceError("waiting_times_agreement_not_live")


def _lock(agreement: FrameworkAgreement) -> None:
    # Two updates of one agreement's register take turns: the second waits for the first to
    # commit, then finds its entries current (a row lock on PostgreSQL; SQLite has one writer at
    # a time, taken by the first UPDATE). Without it both could leave a current entry for a key,
    # which the unique indexes on current entries would refuse.
    db.session.execute(
        db.select(FrameworkAgreement.id)
        .where(FrameworkAgreement.id == agreement.id)
        .with_for_update()
    )


def _same_key(key: Key) -> list[sa.ColumnElement[bool]]:
    lot_id, product_id, authority_id = key
    return [
        WaitingTime.lot_id == lot_id,
        WaitingTime.product_id.is_(None)
        if product_id is None
        else WaitingTime.product_id == product_id,
        WaitingTime.authority_id.is_(None)
        if authority_id is None
        else WaitingTime.authority_id == authority_id,
    ]


def _unchanged(entry: EntryInput, current: WaitingTime | None) -> bool:
    return current is not None and (
        current.weeks_to_intake,
        current.weeks_to_treatment,
        current.accepts_new_clients,
        current.note,
    ) == (entry.weeks_to_intake, entry.weeks_to_treatment, entry.accepts_new_clients, entry.note)


@transaction
def update(
    user: User,
    agreement: FrameworkAgreement,
    entries: list[EntryInput],
    now: datetime,
    api_token_id: int | None = None,
    *,
    withdraw: Sequence[int] = (),
) -> list[WaitingTime]:
    """Store entries, all or nothing; each becomes the current one of its key. Refuses with
    ServiceError("waiting_times_refused", problems=[Problem(...)]) when any is wrong.

    An entry equal to the current one of its key is stored as a confirmation (the register
    says it still holds on `now`). `withdraw` names current entries (ids) that no longer hold,
    e.g. a municipality the provider no longer reports apart: they stop counting."""
    _require_keeper(user, agreement)
    entries = [
        EntryInput(
            e.lot_id,
            e.product_id,
            e.authority_id,
            e.weeks_to_intake,
            e.weeks_to_treatment,
            e.accepts_new_clients,
            e.note.strip(),
        )
        for e in entries
    ]
    if not entries and not withdraw:
        raise ServiceError("waiting_times_nothing")
    problems = entry_problems(agreement, entries, local_date(now))
    if problems:
        raise ServiceError("waiting_times_refused", problems=problems)
    _lock(agreement)
    # Read under the lock: what another update committed meanwhile counts.
    current = {key_of(e): e for e in current_entries(agreement)}
    withdrawn = set(withdraw)
    if withdrawn:
        if not withdrawn <= {e.id for e in current.values()}:
            raise ServiceError("waiting_entry_not_current")
        db.session.execute(
            db.update(WaitingTime)
            .where(WaitingTime.id.in_(withdrawn), WaitingTime.is_current.is_(True))
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
    stored: list[WaitingTime] = []
    unchanged = 0
    for entry in entries:
        previous = current.get(entry.key)
        same = _unchanged(entry, previous) and previous is not None and previous.id not in withdrawn
        unchanged += same
        db.session.execute(
            db.update(WaitingTime)
            .where(
                WaitingTime.agreement_id == agreement.id,
                *_same_key(entry.key),
                WaitingTime.is_current.is_(True),
            )
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
        row = _new_row(agreement, entry, same, user, now, api_token_id)
        db.session.add(row)
        stored.append(row)
    record(
        "waiting_times.updated",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        entries=len(entries),
        changed=len(entries) - unchanged,
        unchanged=unchanged,
        withdrawn=len(withdrawn),
    )
    db.session.commit()
    return stored


def _new_row(
    agreement: FrameworkAgreement,
    entry: EntryInput | WaitingTime,
    unchanged: bool,
    user: User,
    now: datetime,
    api_token_id: int | None,
) -> WaitingTime:
    """The new current row of an entry's key: what was given, or the entry confirmed."""
    return WaitingTime(
        agreement_id=agreement.id,
        lot_id=entry.lot_id,
        product_id=entry.product_id,
        authority_id=entry.authority_id,
        weeks_to_intake=entry.weeks_to_intake,
        weeks_to_treatment=entry.weeks_to_treatment,
        accepts_new_clients=entry.accepts_new_clients,
        note=entry.note,
        confirmed_unchanged=unchanged,
        reported_at=now,
        reported_by_id=user.id,
        api_token_id=api_token_id,
        is_current=True,
    )


@transaction
def confirm(
    user: User, agreement: FrameworkAgreement, now: datetime, api_token_id: int | None = None
) -> int:
    """Confirm every current entry unchanged (a new row each, confirmed_unchanged=True); returns
    how many."""
    _require_keeper(user, agreement)
    _lock(agreement)
    current = current_entries(agreement)
    if not current:
        raise ServiceError("waiting_times_nothing_to_confirm")
    db.session.execute(
        db.update(WaitingTime)
        .where(WaitingTime.id.in_([e.id for e in current]), WaitingTime.is_current.is_(True))
        .values(is_current=False)
        .execution_options(synchronize_session=False)
    )
    for entry in current:
        db.session.add(_new_row(agreement, entry, True, user, now, api_token_id))
    record(
        "waiting_times.confirmed",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        entries=len(current),
    )
    db.session.commit()
    return len(current)


def last_reported(entries: Sequence[WaitingTime]) -> datetime | None:
    """When the register was last updated or confirmed (the oldest current entry decides
    whether it is outdated; this is the newest, for "last update")."""
    return max((as_utc(e.reported_at) for e in entries), default=None)


def needs_attention(entries: Sequence[WaitingTime], now: datetime) -> bool:
    """No entries yet, or one of them outdated: the provider should update or confirm."""
    return not entries or any(rules.is_outdated(as_utc(e.reported_at), now) for e in entries)


def _oldest_current(*where: sa.ColumnElement[bool]) -> dict[int, datetime]:
    """Per agreement, when its longest-unchanged current entry was last reported: the register
    is outdated when that one is."""
    return {
        agreement_id: as_utc(reported_at)
        for agreement_id, reported_at in db.session.execute(
            db.select(WaitingTime.agreement_id, sa.func.min(WaitingTime.reported_at))
            .where(WaitingTime.is_current.is_(True), *where)
            .group_by(WaitingTime.agreement_id)
        ).tuples()
    }


def send_reminders(now: datetime) -> int:
    """Once a month per live agreement whose register is empty or has an outdated entry: ask
    its people to update or confirm it (run daily; `WaitingTimeReminder` keeps it to one mail
    round per agreement per month, however often it runs). Returns the number of mails."""
    from portal.infra import mail

    month = rules.reminder_month(local_date(now))
    reminded = set(
        db.session.scalars(
            db.select(WaitingTimeReminder.agreement_id).where(WaitingTimeReminder.month == month)
        )
    )
    oldest = _oldest_current(WaitingTime.is_current.is_(True))
    sent = 0
    for agreement in db.session.scalars(
        db.select(FrameworkAgreement)
        .where(FrameworkAgreement.state == AgreementState.LIVE)
        .options(joinedload(FrameworkAgreement.das))
        .order_by(FrameworkAgreement.id)
    ):
        if agreement.id in reminded:
            continue
        since = oldest.get(agreement.id)
        if since is not None and not rules.is_outdated(since, now):
            continue
        db.session.add(WaitingTimeReminder(agreement_id=agreement.id, month=month, sent_at=now))
        for user in provider_recipients(agreement.organisation_id, reporters=True):
            mail.queue(
                user.email,
                _l("Wachttijden bijwerken: %(das)s", das=agreement.das.name),
                "waiting_times_reminder",
                user=user,
                agreement=agreement,
                empty=since is None,
                outdated_since=None if since is None else rules.outdated_since(since),
                link=mail.link("supplier.waiting_times", agreement_id=agreement.id),
            )
            sent += 1
        db.session.commit()  # this agreement's reminder and its mails
    return sent


@dataclass(frozen=True)
class RegisterDue:
    """A live agreement whose register asks for the provider's attention (the dashboard)."""

    agreement_id: int
    reference: str
    das_name: str
    outdated_since: date | None  # None: no entries yet


def _due(
    registers: Iterable[tuple[FrameworkAgreement, datetime | None]], now: datetime
) -> list[RegisterDue]:
    """Of these live agreements, with when each one's longest-unchanged current entry was last
    reported, those whose register is empty or outdated."""
    return [
        RegisterDue(
            agreement.id,
            agreement.reference,
            agreement.das.name,
            None if since is None else rules.outdated_since(since),
        )
        for agreement, since in registers
        if since is None or rules.is_outdated(since, now)
    ]


def dashboard_agreements(
    organisation_id: int, now: datetime
) -> tuple[list[FrameworkAgreement], list[RegisterDue]]:
    """The organisation's agreements, oldest first, each with its DAS, and the live ones whose
    register is empty or outdated: in one query (the dashboard is at its query budget)."""
    oldest = (
        sa.select(sa.func.min(WaitingTime.reported_at))
        .where(WaitingTime.agreement_id == FrameworkAgreement.id, WaitingTime.is_current.is_(True))
        .correlate(FrameworkAgreement)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(FrameworkAgreement, oldest)
        # One per DAS at most (a unique key), so unpaged; the dashboard names each DAS.
        .options(joinedload(FrameworkAgreement.das))
        .where(FrameworkAgreement.organisation_id == organisation_id)
        .order_by(FrameworkAgreement.start_date)
    ).tuples()
    found = [(agreement, None if since is None else as_utc(since)) for agreement, since in rows]
    live = [(a, since) for a, since in found if a.state is AgreementState.LIVE]
    return [agreement for agreement, _since in found], _due(live, now)
