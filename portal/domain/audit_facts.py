"""Do the decisive facts in the database still say what the audit trail says was decided?

The hash chain (portal.domain.audit_chain) shows a changed event; it cannot show a changed row
beside it (`UPDATE application_lot SET outcome = 'admitted'`). So the trail is replayed, in
sequence order, to the facts it set, and each is compared with the row as it is now:

- a lot's outcome: "decision.proposed" (its `lots`), "decision.returned" (back to pending), and
  "lot.admitted" / "lot.rejected" (`lot_id`), portal.services.review;
- a framework agreement's state and end date: "agreement.created" (`end_date`), ".countersigned",
  ".suspended", ".resumed", ".live", ".awaiting_signature", ".ended" (`end_date`) and
  "das.option_exercised" (`new_end` for `agreement_ids`), ".end_date_followed" (`new_end`: back
  to running on the common end date), portal.services.agreements and
  reverification;
- a published tariff sheet: "tariff_sheet.published" (`year`, `corrects`, `amounts` per product,
  the `files`' hashes), portal.services.tariffs. A sheet is immutable once published.

Events recorded before the services added `amounts`, `files`, `agreement_ids`, `end_date` (on ending)
and `state` (on resuming) lack them; for those the replay derives what the service did then, or
checks what it can. Why: an unbroken chain says nothing about rows changed beside it, so
`audit verify` also compares the current decisive facts with what the audit events say.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.domain.audit_chain import ChainedEvent

PENDING = "pending"
# Agreement states whose end date moves when an extension option is exercised.
_MOVES_WITH_OPTION = ("live", "awaiting_signature")


@dataclass(frozen=True)
class LotFact:
    application_id: int
    lot_id: int
    outcome: str


@dataclass(frozen=True)
class AgreementFact:
    id: int
    state: str
    end_date: date


@dataclass(frozen=True)
class SheetFact:
    id: int
    year: int
    corrects_id: int | None
    amounts: Mapping[int, int]  # product id -> cents
    files: Mapping[str, str]  # "csv", "xlsx", "pdf" -> SHA-256


class FactKind(enum.StrEnum):
    LOT_OUTCOME = "lot_outcome"
    AGREEMENT_UNRECORDED = "agreement_unrecorded"  # a row no event created
    AGREEMENT_MISSING = "agreement_missing"  # created by an event, the row is gone
    AGREEMENT_STATE = "agreement_state"
    AGREEMENT_END_DATE = "agreement_end_date"
    SHEET_UNRECORDED = "sheet_unrecorded"
    SHEET_MISSING = "sheet_missing"
    SHEET_CHANGED = "sheet_changed"  # year, correction or file hash (`part` says which)
    TARIFF_AMOUNT = "tariff_amount"  # one product's amount (`part` is the product id)


@dataclass(frozen=True)
class Mismatch:
    kind: FactKind
    object_id: int  # the application (for a lot), the agreement or the tariff sheet
    recorded: str | None  # what the trail says (None: nothing)
    current: str | None  # what the database says (None: no row)
    sequence: int | None = None  # the event that set the recorded value
    part: str = ""  # the lot id, the product id, or the sheet's field


@dataclass
class _Agreement:
    das_id: int | None
    start: date | None
    state: str
    end: date
    sequence: int  # of the event that set the state
    end_sequence: int  # of the event that set the end date
    countersigned: bool = False


@dataclass
class _Sheet:
    sequence: int
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Replay:
    lots: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)
    agreements: dict[int, _Agreement] = field(default_factory=dict)
    sheets: dict[int, _Sheet] = field(default_factory=dict)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _replay(events: Iterable[ChainedEvent]) -> _Replay:
    state = _Replay()
    for event in events:
        action, details, number = event.action, event.details, event.sequence
        if event.object_type == "application":
            _replay_lot(state, event.object_id, action, details, number)
        elif event.object_type == "framework_agreement":
            _replay_agreement(state, event, action, details, number)
        elif action == "das.option_exercised":
            new_end = _date(details.get("new_end"))
            if new_end is None:
                continue
            ids = details.get("agreement_ids")
            if ids is None:  # recorded before the ids were: the ones the service moved
                ids = [
                    agreement_id
                    for agreement_id, agreement in state.agreements.items()
                    if agreement.das_id == event.das_id and agreement.state in _MOVES_WITH_OPTION
                ]
            for agreement_id in ids:
                if agreement_id in state.agreements:
                    state.agreements[agreement_id].end = new_end
                    state.agreements[agreement_id].end_sequence = number
        elif action == "tariff_sheet.published" and event.object_type == "tariff_sheet":
            state.sheets[event.object_id] = _Sheet(number, dict(details))
    return state


def _replay_lot(
    state: _Replay, application_id: int, action: str, details: dict[str, Any], number: int
) -> None:
    if action == "decision.proposed":
        for lot_id, outcome in (details.get("lots") or {}).items():
            state.lots[(application_id, int(lot_id))] = (str(outcome), number)
    elif action == "decision.returned":
        for key in state.lots:
            if key[0] == application_id:
                state.lots[key] = (PENDING, number)
    elif action in ("lot.admitted", "lot.rejected") and details.get("lot_id") is not None:
        state.lots[(application_id, int(details["lot_id"]))] = (action.split(".")[1], number)


def _replay_agreement(
    state: _Replay, event: ChainedEvent, action: str, details: dict[str, Any], number: int
) -> None:
    if action == "agreement.created":
        end = _date(details.get("end_date"))
        if end is not None:
            state.agreements[event.object_id] = _Agreement(
                event.das_id,
                _date(details.get("start_date")),
                "awaiting_signature",
                end,
                number,
                number,
            )
        return
    agreement = state.agreements.get(event.object_id)
    if agreement is None:
        return
    if action == "agreement.countersigned":
        agreement.state, agreement.sequence, agreement.countersigned = "live", number, True
    elif action == "agreement.resumed":
        resumed = details.get("state") or (
            "live" if agreement.countersigned else "awaiting_signature"
        )
        agreement.state, agreement.sequence = str(resumed), number
    elif action == "agreement.end_date_followed":
        end = _date(details.get("new_end"))
        if end is not None:
            agreement.end, agreement.end_sequence = end, number
    elif action in (
        "agreement.suspended",
        "agreement.live",
        "agreement.awaiting_signature",
        "agreement.ended",
    ):
        agreement.state, agreement.sequence = action.split(".")[1], number
        if action == "agreement.ended":
            end = _date(details.get("end_date"))
            on = _date(details.get("on"))
            if end is None and on is not None and on < agreement.end:
                # What portal.services.agreements.change_state did before it recorded the date.
                end = max(on, agreement.start) if agreement.start else on
            if end is not None:
                agreement.end, agreement.end_sequence = end, number


def compare(
    events: Iterable[ChainedEvent],
    lots: Iterable[LotFact],
    agreements: Iterable[AgreementFact],
    sheets: Iterable[SheetFact],
) -> list[Mismatch]:
    """Every decisive fact that differs from the latest event that set it, given all events in
    sequence order and the facts as they are now."""
    replay = _replay(events)
    return (
        _compare_lots(replay, lots)
        + _compare_agreements(replay, agreements)
        + _compare_sheets(replay, sheets)
    )


def _compare_lots(replay: _Replay, lots: Iterable[LotFact]) -> list[Mismatch]:
    found: list[Mismatch] = []
    seen = set()
    for lot in lots:
        key = (lot.application_id, lot.lot_id)
        seen.add(key)
        recorded, number = replay.lots.get(key, (PENDING, None))
        if lot.outcome != recorded:
            found.append(
                Mismatch(
                    FactKind.LOT_OUTCOME,
                    lot.application_id,
                    recorded,
                    lot.outcome,
                    number,
                    str(lot.lot_id),
                )
            )
    for (application_id, lot_id), (recorded, number) in replay.lots.items():
        if (application_id, lot_id) not in seen and recorded != PENDING:
            found.append(
                Mismatch(FactKind.LOT_OUTCOME, application_id, recorded, None, number, str(lot_id))
            )
    return found


def _compare_agreements(replay: _Replay, agreements: Iterable[AgreementFact]) -> list[Mismatch]:
    found: list[Mismatch] = []
    seen = set()
    for agreement in agreements:
        seen.add(agreement.id)
        recorded = replay.agreements.get(agreement.id)
        if recorded is None:
            found.append(
                Mismatch(FactKind.AGREEMENT_UNRECORDED, agreement.id, None, agreement.state)
            )
            continue
        if agreement.state != recorded.state:
            found.append(
                Mismatch(
                    FactKind.AGREEMENT_STATE,
                    agreement.id,
                    recorded.state,
                    agreement.state,
                    recorded.sequence,
                )
            )
        if agreement.end_date != recorded.end:
            found.append(
                Mismatch(
                    FactKind.AGREEMENT_END_DATE,
                    agreement.id,
                    recorded.end.isoformat(),
                    agreement.end_date.isoformat(),
                    recorded.end_sequence,
                )
            )
    for agreement_id, recorded in replay.agreements.items():
        if agreement_id not in seen:
            found.append(
                Mismatch(
                    FactKind.AGREEMENT_MISSING,
                    agreement_id,
                    recorded.state,
                    None,
                    recorded.sequence,
                )
            )
    return found


def _compare_sheets(replay: _Replay, sheets: Iterable[SheetFact]) -> list[Mismatch]:
    found: list[Mismatch] = []
    seen = set()
    for sheet in sheets:
        seen.add(sheet.id)
        recorded = replay.sheets.get(sheet.id)
        if recorded is None:
            found.append(Mismatch(FactKind.SHEET_UNRECORDED, sheet.id, None, str(sheet.year)))
            continue
        details, number = recorded.details, recorded.sequence
        fields: dict[str, object] = {"year": sheet.year, "corrects": sheet.corrects_id}
        fields |= {f"files.{kind}": sha for kind, sha in sheet.files.items()}
        written = dict(details) | {
            f"files.{kind}": sha for kind, sha in (details.get("files") or {}).items()
        }
        for name, current in fields.items():
            if name in written and written[name] != current:
                found.append(
                    Mismatch(
                        FactKind.SHEET_CHANGED,
                        sheet.id,
                        _text(written[name]),
                        _text(current),
                        number,
                        name,
                    )
                )
        amounts = details.get("amounts")
        if amounts is None:  # published before the amounts were recorded
            continue
        recorded_amounts = {int(product_id): cents for product_id, cents in amounts.items()}
        for product_id in sorted(recorded_amounts.keys() | sheet.amounts.keys()):
            was, now = recorded_amounts.get(product_id), sheet.amounts.get(product_id)
            if was != now:
                found.append(
                    Mismatch(
                        FactKind.TARIFF_AMOUNT,
                        sheet.id,
                        _text(was),
                        _text(now),
                        number,
                        str(product_id),
                    )
                )
    for sheet_id, recorded in replay.sheets.items():
        if sheet_id not in seen:
            found.append(
                Mismatch(
                    FactKind.SHEET_MISSING,
                    sheet_id,
                    _text(recorded.details.get("year")),
                    None,
                    recorded.sequence,
                )
            )
    return found


def _text(value: object) -> str | None:
    return None if value is None else str(value)
