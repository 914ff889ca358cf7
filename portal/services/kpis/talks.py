"""Contract talks (seed 003 §2.4): the providers selected for talks in a year, talks planned and
held with their reports, and the agreed actions followed up to done. A talk is held with one
provider (account/contract talks) or several at once (development talks); each provider invited
has its own row with the outcome for it. Rules: portal.domain.contract_management
(talk_status_after_logging, talk_providers_allowed, action_overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import joinedload, selectinload

from portal.domain import contract_management as rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    ContractTalk,
    Das,
    FrameworkAgreement,
    TalkAction,
    TalkKind,
    TalkParticipant,
    TalkSelection,
    User,
)
from portal.services import ServiceError, transaction
from portal.services.audit import record
from portal.services.kpis.definitions import CLIENTS
from portal.services.kpis.figures import latest_per_agreement, live_agreements
from portal.services.kpis.sroi_turnover import measured_turnover
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
    """Plan a talk with one provider (a date after today) or record one held (its report with
    it). A planned talk has no report yet: agreements and actions are entered when it has been
    held."""
    return _log(
        user,
        agreement.das,
        [agreement],
        kind,
        held_on,
        "",
        participants,
        agreements_made,
        {},
        actions,
        today or held_on,
    )


@transaction
def log_group_talk(
    user: User,
    das: Das,
    agreements: list[FrameworkAgreement],
    kind: TalkKind,
    held_on: date,
    topic: str,
    participants: str,
    agreements_made: str,
    outcomes: dict[int, str],
    actions: list[ActionInput],
    today: date,
) -> ContractTalk:
    """Plan (propose) or record a talk with several providers of one DAS at once: a
    development talk (seed 003 §2.4). `outcomes` holds what the talk concluded per agreement
    id; a planned talk has none yet."""
    return _log(
        user,
        das,
        agreements,
        kind,
        held_on,
        topic,
        participants,
        agreements_made,
        outcomes,
        actions,
        today,
    )


def _log(
    user: User,
    das: Das,
    agreements: list[FrameworkAgreement],
    kind: TalkKind,
    held_on: date,
    topic: str,
    participants: str,
    agreements_made: str,
    outcomes: dict[int, str],
    actions: list[ActionInput],
    today: date,
) -> ContractTalk:
    require_contract_manager(user, das.id)
    invited = list({a.id: a for a in agreements}.values())  # once each, in the order given
    if not invited:
        raise ServiceError("talk_providers_required")
    if any(a.das_id != das.id for a in invited):
        raise ServiceError("talk_provider_not_in_das")
    if not rules.talk_providers_allowed(kind is TalkKind.DEVELOPMENT, len(invited)):
        raise ServiceError("account_talk_one_provider")
    if not participants.strip():
        raise ServiceError("participants_required")
    status = rules.talk_status_after_logging(held_on, today)
    has_outcome = any(text.strip() for text in outcomes.values())
    if status is rules.TalkStatus.PLANNED and (agreements_made.strip() or actions or has_outcome):
        raise ServiceError("talk_report_before_held")
    talk = ContractTalk(
        agreement_id=invited[0].id,
        kind=kind,
        status=status,
        held_on=held_on,
        topic=topic.strip(),
        participants=participants.strip(),
        agreements_made=agreements_made.strip(),
        created_by_id=user.id,
    )
    for agreement in invited:
        talk.providers.append(
            TalkParticipant(
                agreement_id=agreement.id, outcome=outcomes.get(agreement.id, "").strip()
            )
        )
    _actions(talk, actions)
    db.session.add(talk)
    for agreement in invited:  # each provider's history shows the talk
        record(
            "talk.planned" if status is rules.TalkStatus.PLANNED else "talk.logged",
            agreement,
            user,
            organisation_id=agreement.organisation_id,
            das_id=agreement.das_id,
            kind=kind.value,
            held_on=held_on.isoformat(),
            providers=len(invited),
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
    outcomes: dict[int, str] | None = None,
) -> ContractTalk:
    """The report of a planned talk: it becomes held, on the day it took place (not after
    today), with the outcome per provider invited (`outcomes` by agreement id)."""
    agreement = talk.agreement
    require_contract_manager(user, agreement.das_id)
    if talk.status is not rules.TalkStatus.PLANNED:
        raise ServiceError("talk_already_held")
    if held_on > today:
        raise ServiceError("talk_not_yet_held")
    outcomes = outcomes or {}
    invited = {p.agreement_id: p for p in talk.providers}
    if set(outcomes) - set(invited):
        raise ServiceError("talk_provider_not_invited")
    has_outcome = any(text.strip() for text in outcomes.values())
    if not agreements_made.strip() and not actions and not has_outcome:
        raise ServiceError("talk_report_empty")
    talk.status = rules.TalkStatus.HELD
    talk.held_on = held_on
    talk.agreements_made = agreements_made.strip()
    for agreement_id, text in outcomes.items():
        invited[agreement_id].outcome = text.strip()
    _actions(talk, actions)
    for participant in talk.providers:
        record(
            "talk.held",
            participant.agreement,
            user,
            organisation_id=participant.agreement.organisation_id,
            das_id=agreement.das_id,
            held_on=held_on.isoformat(),
            actions=len(actions),
        )
    db.session.commit()
    return talk


@transaction
def record_outcome(user: User, talk: ContractTalk, agreement_id: int, outcome: str) -> None:
    """What a held talk concluded for one of the providers invited to it."""
    require_contract_manager(user, talk.agreement.das_id)
    if talk.status is not rules.TalkStatus.HELD:
        raise ServiceError("talk_outcome_before_held")
    participant = next((p for p in talk.providers if p.agreement_id == agreement_id), None)
    if participant is None:
        raise ServiceError("talk_provider_not_invited")
    if not outcome.strip():
        raise ServiceError("talk_outcome_required")
    participant.outcome = outcome.strip()
    record(
        "talk.outcome",
        participant.agreement,
        user,
        organisation_id=participant.agreement.organisation_id,
        das_id=talk.agreement.das_id,
        held_on=talk.held_on.isoformat(),
    )
    db.session.commit()


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


def _with_providers() -> tuple[object, ...]:
    # Listed with each talk: its actions and the providers invited, by name.
    return (
        selectinload(ContractTalk.actions),
        selectinload(ContractTalk.providers)
        .joinedload(TalkParticipant.agreement)
        .joinedload(FrameworkAgreement.organisation),
    )


def talks_of(agreement: FrameworkAgreement) -> list[ContractTalk]:
    """Every talk the agreement's provider was invited to, alone or with others."""
    return list(
        db.session.scalars(
            db.select(ContractTalk)
            .options(*_with_providers())  # type: ignore[arg-type]
            .where(
                ContractTalk.id.in_(
                    db.select(TalkParticipant.talk_id).where(
                        TalkParticipant.agreement_id == agreement.id
                    )
                )
            )
            .order_by(ContractTalk.held_on.desc(), ContractTalk.id.desc())
        )
    )


def talks_in_year(das_id: int, year: int) -> list[ContractTalk]:
    """The DAS's talks dated in a year (planned or held), earliest first, with their providers."""
    return list(
        db.session.scalars(
            db.select(ContractTalk)
            .join(FrameworkAgreement, FrameworkAgreement.id == ContractTalk.agreement_id)
            .options(*_with_providers())  # type: ignore[arg-type]
            .where(
                FrameworkAgreement.das_id == das_id,
                ContractTalk.held_on >= date(year, 1, 1),
                ContractTalk.held_on < date(year + 1, 1, 1),
            )
            .order_by(ContractTalk.held_on, ContractTalk.id)
        )
    )


def talk_of_das(das_id: int, talk_id: int) -> ContractTalk | None:
    """A talk of this DAS, or None (another DAS's talk is not found)."""
    return db.session.scalar(
        db.select(ContractTalk)
        .join(FrameworkAgreement, FrameworkAgreement.id == ContractTalk.agreement_id)
        .options(*_with_providers())  # type: ignore[arg-type]
        .where(ContractTalk.id == talk_id, FrameworkAgreement.das_id == das_id)
    )


@dataclass(frozen=True)
class TalkYear:
    """A year of talks of a DAS, for the history: how many providers were selected, how many
    talks were planned and held, and with how many providers in all."""

    year: int
    selected: int
    planned: int
    held: int
    providers_talked_to: int


def talk_history(das_id: int, years: range) -> list[TalkYear]:
    """Per year of the DAS's term, the selection and the talks; two queries."""
    if not years:
        return []
    first, last = date(years.start, 1, 1), date(years.stop, 1, 1)
    selected = dict(
        db.session.execute(
            db.select(TalkSelection.year, db.func.count(TalkSelection.id))
            .join(FrameworkAgreement, FrameworkAgreement.id == TalkSelection.agreement_id)
            .where(
                FrameworkAgreement.das_id == das_id,
                TalkSelection.year >= years.start,
                TalkSelection.year < years.stop,
            )
            .group_by(TalkSelection.year)
        )
        .tuples()
        .all()
    )
    # One row per talk and provider invited: the talks counted once each, the providers once
    # per year.
    planned: dict[int, set[int]] = {}
    held: dict[int, set[int]] = {}
    talked_to: dict[int, set[int]] = {}
    for talk_id, held_on, status, agreement_id in db.session.execute(
        db.select(
            ContractTalk.id, ContractTalk.held_on, ContractTalk.status, TalkParticipant.agreement_id
        )
        .join(TalkParticipant, TalkParticipant.talk_id == ContractTalk.id)
        .join(FrameworkAgreement, FrameworkAgreement.id == ContractTalk.agreement_id)
        .where(
            FrameworkAgreement.das_id == das_id,
            ContractTalk.held_on >= first,
            ContractTalk.held_on < last,
        )
    ).tuples():
        if status is rules.TalkStatus.HELD:
            held.setdefault(held_on.year, set()).add(talk_id)
            talked_to.setdefault(held_on.year, set()).add(agreement_id)
        else:
            planned.setdefault(held_on.year, set()).add(talk_id)
    return [
        TalkYear(
            year,
            int(selected.get(year, 0)),
            len(planned.get(year, ())),
            len(held.get(year, ())),
            len(talked_to.get(year, ())),
        )
        for year in years
    ]


@transaction
def set_selection(
    user: User,
    das: Das,
    year: int,
    chosen: list[FrameworkAgreement],
    reason: str,
    now: datetime,
) -> tuple[int, int]:
    """Make `chosen` the DAS's selection for talks in `year` (seed 003 §2.4: each year again):
    providers newly chosen get `reason`, those still chosen keep theirs, the others are no
    longer selected. The numbers added and removed."""
    require_contract_manager(user, das.id)
    if any(a.das_id != das.id for a in chosen):
        raise ServiceError("talk_provider_not_in_das")
    current = {
        s.agreement_id: s
        for s in db.session.scalars(
            db.select(TalkSelection)
            .join(FrameworkAgreement, FrameworkAgreement.id == TalkSelection.agreement_id)
            .options(joinedload(TalkSelection.agreement))
            .where(FrameworkAgreement.das_id == das.id, TalkSelection.year == year)
        )
    }
    wanted = {a.id: a for a in chosen}
    added = [a for a_id, a in wanted.items() if a_id not in current]
    removed = [s for a_id, s in current.items() if a_id not in wanted]
    if added and not reason.strip():
        raise ServiceError("selection_reason_required")
    for agreement in added:
        db.session.add(
            TalkSelection(
                agreement_id=agreement.id,
                year=year,
                reason=reason.strip(),
                selected_by_id=user.id,
                selected_at=now,
            )
        )
        record(
            "talk.selected",
            agreement,
            user,
            organisation_id=agreement.organisation_id,
            das_id=das.id,
            year=year,
            reason=reason.strip(),
        )
    for selection in removed:
        db.session.delete(selection)
        record(
            "talk.unselected",
            selection.agreement,
            user,
            organisation_id=selection.agreement.organisation_id,
            das_id=das.id,
            year=year,
        )
    db.session.commit()
    return len(added), len(removed)


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
        db.session.execute(
            db.select(TalkParticipant.agreement_id, ContractTalk)
            .join(ContractTalk, ContractTalk.id == TalkParticipant.talk_id)
            .options(selectinload(ContractTalk.actions))
            .where(TalkParticipant.agreement_id.in_(ids))
        )
        .tuples()
        .all()
        if ids
        else []
    )
    result = []
    for selection in selections:
        mine = [t for a_id, t in talks if a_id == selection.agreement_id]
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


def providers_for_talks(das_id: int) -> list[FrameworkAgreement]:
    """The live agreements of the DAS, by provider name: who may be invited to a talk."""
    return sorted(live_agreements(das_id), key=lambda a: (a.organisation.legal_name, a.id))


@dataclass(frozen=True)
class TalkCandidate:
    """A provider on the year's selection form: ranked in the top N by clients and turnover
    (`ranked`, with its `rank`), or selected already without being ranked there."""

    agreement: FrameworkAgreement
    rank: int | None
    ranked: rules.Ranked | None
    selection: TalkSelection | None


def talk_candidates(
    das: Das, year: int, base_year: int, live: list[FrameworkAgreement] | None = None
) -> list[TalkCandidate]:
    """The providers that matter most for the talks of `year` (seed 003 §2.4: by clients in
    care and turnover): the top `talks_top_n` live agreements by the turnover of `base_year`
    (entered by the contract managers, else reported) and the latest number of clients,
    weighted equally; then the providers of the year's selection outside that top, by name.
    `live`: the DAS's live agreements when the caller has them already."""
    agreements = {a.id: a for a in (live_agreements(das.id) if live is None else live)}
    # The turnover as the municipalities know it where they entered it (the SROI reference
    # turnover, issue 21), else as the provider reported it: so the first year can be ranked.
    turnover = measured_turnover(das.id, base_year)
    clients = latest_per_agreement(das.id, CLIENTS)
    figures = [
        rules.ProviderFigures(
            a_id, int(clients.get(a_id, 0)), money.cents_of(turnover.get(a_id, Decimal(0)))
        )
        for a_id in agreements
        if a_id in turnover or a_id in clients  # without figures a provider has no rank
    ]
    ranked = (
        rules.rank_providers(figures, Decimal(1), Decimal(1), das.talks_top_n) if figures else []
    )
    selections = {
        s.agreement_id: s
        for s in db.session.scalars(
            db.select(TalkSelection)
            .join(FrameworkAgreement, FrameworkAgreement.id == TalkSelection.agreement_id)
            .options(
                joinedload(TalkSelection.agreement).joinedload(FrameworkAgreement.organisation)
            )
            .where(FrameworkAgreement.das_id == das.id, TalkSelection.year == year)
        )
    }
    result = [
        TalkCandidate(agreements[r.provider_id], rank, r, selections.get(r.provider_id))
        for rank, r in enumerate(ranked, start=1)
    ]
    in_top = {r.provider_id for r in ranked}
    others = [s for a_id, s in selections.items() if a_id not in in_top]
    others.sort(key=lambda s: (s.agreement.organisation.legal_name, s.agreement_id))
    result += [TalkCandidate(s.agreement, None, None, s) for s in others]
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
    # Through the providers invited: a talk with several counts for each of them.
    last_held = dict(
        db.session.execute(
            db.select(TalkParticipant.agreement_id, db.func.max(ContractTalk.held_on))
            .join(ContractTalk, ContractTalk.id == TalkParticipant.talk_id)
            .where(
                TalkParticipant.agreement_id.in_(agreement_ids),
                ContractTalk.status == rules.TalkStatus.HELD,
            )
            .group_by(TalkParticipant.agreement_id)
        )
        .tuples()
        .all()
    )
    open_actions = dict(
        db.session.execute(
            db.select(TalkParticipant.agreement_id, db.func.count(TalkAction.id))
            .join(TalkAction, TalkAction.talk_id == TalkParticipant.talk_id)
            .where(TalkParticipant.agreement_id.in_(agreement_ids), TalkAction.done_on.is_(None))
            .group_by(TalkParticipant.agreement_id)
        )
        .tuples()
        .all()
    )
    return {
        a: TalkSummary(a in selected, last_held.get(a), int(open_actions.get(a, 0)))
        for a in agreement_ids
    }
