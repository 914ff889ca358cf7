"""Contract talks (seed 003 §2.4): the providers selected for talks in a year, talks planned and
held with their reports, and the agreed actions followed up to done. Rules:
portal.domain.contract_management (talk_status_after_logging, action_overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import joinedload, selectinload

from portal.domain import contract_management as rules
from portal.extensions import db
from portal.models import (
    ContractTalk,
    FrameworkAgreement,
    TalkAction,
    TalkKind,
    TalkSelection,
    User,
)
from portal.services import ServiceError, transaction
from portal.services.audit import record
from portal.services.ownership import (
    require_contract_manager,
)

# (description, owner, due date)
ActionInput = tuple[str, str, date]


def _actions(talk: ContractTalk, actions: list[ActionInput]) -> None:
    for description, owner, due_on in actions:
        if not owner.strip():
            raise ServiceError("action_owner_required")
        talk.actions.append(
            TalkAction(description=description.strip(), owner=owner.strip(), due_on=due_on)
        )


@transaction
def log_talk(
    user: User,
    agreement: FrameworkAgreement,
    kind: TalkKind,
    held_on: date,
    participants: str,
    agreements_made: str,
    actions: list[ActionInput],
    today: date | None = None,
) -> ContractTalk:
    """Plan a talk (a date after today) or record one held (its report with it). A planned talk
    has no report yet: agreements and actions are entered when it has been held."""
    require_contract_manager(user, agreement.das_id)
    if not participants.strip():
        raise ServiceError("participants_required")
    status = rules.talk_status_after_logging(held_on, today or held_on)
    if status is rules.TalkStatus.PLANNED and (agreements_made.strip() or actions):
        raise ServiceError("talk_report_before_held")
    talk = ContractTalk(
        agreement_id=agreement.id,
        kind=kind,
        status=status,
        held_on=held_on,
        participants=participants.strip(),
        agreements_made=agreements_made.strip(),
        created_by_id=user.id,
    )
    _actions(talk, actions)
    db.session.add(talk)
    record(
        "talk.planned" if status is rules.TalkStatus.PLANNED else "talk.logged",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        kind=kind.value,
        held_on=held_on.isoformat(),
    )
    db.session.commit()
    return talk


@transaction
def enter_report(
    user: User,
    talk: ContractTalk,
    held_on: date,
    agreements_made: str,
    actions: list[ActionInput],
    today: date,
) -> ContractTalk:
    """The report of a planned talk: it becomes held, on the day it took place (not after
    today)."""
    agreement = talk.agreement
    require_contract_manager(user, agreement.das_id)
    if talk.status is not rules.TalkStatus.PLANNED:
        raise ServiceError("talk_already_held")
    if held_on > today:
        raise ServiceError("talk_not_yet_held")
    if not agreements_made.strip() and not actions:
        raise ServiceError("talk_report_empty")
    talk.status = rules.TalkStatus.HELD
    talk.held_on = held_on
    talk.agreements_made = agreements_made.strip()
    _actions(talk, actions)
    record(
        "talk.held",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        held_on=held_on.isoformat(),
        actions=len(actions),
    )
    db.session.commit()
    return talk


@transaction
def complete_action(user: User, action: TalkAction, done_on: date, today: date) -> None:
    agreement = action.talk.agreement
    require_contract_manager(user, agreement.das_id)
    if action.done_on is not None:
        raise ServiceError("action_already_done")
    if done_on > today:
        raise ServiceError("action_done_in_future")
    action.done_on = done_on
    record(
        "talk.action_done",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        description=action.description[:200],
        done_on=done_on.isoformat(),
    )
    db.session.commit()


@transaction
def select_for_talks(
    user: User, agreement: FrameworkAgreement, year: int, reason: str, now: datetime
) -> TalkSelection:
    require_contract_manager(user, agreement.das_id)
    if not reason.strip():
        raise ServiceError("selection_reason_required")
    selection = db.session.scalar(
        db.select(TalkSelection).where(
            TalkSelection.agreement_id == agreement.id, TalkSelection.year == year
        )
    )
    if selection is None:
        selection = TalkSelection(agreement_id=agreement.id, year=year)
        db.session.add(selection)
    selection.reason = reason.strip()
    selection.selected_by_id = user.id
    selection.selected_at = now
    record(
        "talk.selected",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        reason=reason.strip(),
    )
    db.session.commit()
    return selection


@transaction
def unselect_for_talks(user: User, agreement: FrameworkAgreement, year: int) -> None:
    require_contract_manager(user, agreement.das_id)
    selection = db.session.scalar(
        db.select(TalkSelection).where(
            TalkSelection.agreement_id == agreement.id, TalkSelection.year == year
        )
    )
    if selection is None:
        return
    db.session.delete(selection)
    record(
        "talk.unselected",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
    )
    db.session.commit()


def talks_of(agreement: FrameworkAgreement) -> list[ContractTalk]:
    return list(
        db.session.scalars(
            db.select(ContractTalk)
            .options(selectinload(ContractTalk.actions))  # listed with each talk
            .where(ContractTalk.agreement_id == agreement.id)
            .order_by(ContractTalk.held_on.desc(), ContractTalk.id.desc())
        )
    )


def selection_of(agreement: FrameworkAgreement, year: int) -> TalkSelection | None:
    return db.session.scalar(
        db.select(TalkSelection).where(
            TalkSelection.agreement_id == agreement.id, TalkSelection.year == year
        )
    )


@dataclass
class SelectedProvider:
    """A provider selected for talks in a year, with where the talks stand."""

    selection: TalkSelection
    last_held: date | None
    next_planned: date | None
    open_actions: int
    overdue_actions: int


def selected_providers(das_id: int, year: int, today: date) -> list[SelectedProvider]:
    """The DAS's selection for a year, by provider name, in three queries."""
    selections = list(
        db.session.scalars(
            db.select(TalkSelection)
            .join(FrameworkAgreement, FrameworkAgreement.id == TalkSelection.agreement_id)
            .options(
                joinedload(TalkSelection.agreement).joinedload(FrameworkAgreement.organisation)
            )
            .where(FrameworkAgreement.das_id == das_id, TalkSelection.year == year)
        )
    )
    ids = [s.agreement_id for s in selections]
    talks = (
        db.session.scalars(
            db.select(ContractTalk)
            .options(selectinload(ContractTalk.actions))
            .where(ContractTalk.agreement_id.in_(ids))
        ).all()
        if ids
        else []
    )
    result = []
    for selection in selections:
        mine = [t for t in talks if t.agreement_id == selection.agreement_id]
        held = [t.held_on for t in mine if t.status is rules.TalkStatus.HELD]
        planned = [t.held_on for t in mine if t.status is rules.TalkStatus.PLANNED]
        actions = [a for t in mine for a in t.actions if a.done_on is None]
        result.append(
            SelectedProvider(
                selection,
                max(held, default=None),
                min(planned, default=None),
                len(actions),
                sum(1 for a in actions if rules.action_overdue(a.due_on, a.done_on, today)),
            )
        )
    result.sort(key=lambda s: (s.selection.agreement.organisation.legal_name, s.selection.id))
    return result


@dataclass(frozen=True)
class TalkSummary:
    """Per agreement, for the register export."""

    selected: bool
    last_held: date | None
    open_actions: int


def talk_summaries(agreement_ids: list[int], year: int) -> dict[int, TalkSummary]:
    """Per agreement: selected this year, the last talk held, open actions. Two queries."""
    if not agreement_ids:
        return {}
    selected = set(
        db.session.scalars(
            db.select(TalkSelection.agreement_id).where(
                TalkSelection.agreement_id.in_(agreement_ids), TalkSelection.year == year
            )
        )
    )
    last_held = dict(
        db.session.execute(
            db.select(ContractTalk.agreement_id, db.func.max(ContractTalk.held_on))
            .where(
                ContractTalk.agreement_id.in_(agreement_ids),
                ContractTalk.status == rules.TalkStatus.HELD,
            )
            .group_by(ContractTalk.agreement_id)
        )
        .tuples()
        .all()
    )
    open_actions = dict(
        db.session.execute(
            db.select(ContractTalk.agreement_id, db.func.count(TalkAction.id))
            .join(TalkAction, TalkAction.talk_id == ContractTalk.id)
            .where(ContractTalk.agreement_id.in_(agreement_ids), TalkAction.done_on.is_(None))
            .group_by(ContractTalk.agreement_id)
        )
        .tuples()
        .all()
    )
    return {
        a: TalkSummary(a in selected, last_held.get(a), int(open_actions.get(a, 0)))
        for a in agreement_ids
    }
