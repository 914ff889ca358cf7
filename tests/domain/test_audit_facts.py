"""Replaying the audit trail to the decisive facts (portal.domain.audit_facts), including events
recorded before the services added the details the replay prefers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from portal.domain.audit_chain import ChainedEvent
from portal.domain.audit_facts import AgreementFact, FactKind, LotFact, SheetFact, compare

AGREEMENT, OTHER, DAS = 7, 8, 3


def events(*specs: tuple[str, str, int, dict[str, Any]]) -> list[ChainedEvent]:
    return [
        ChainedEvent(
            id=n,
            sequence=n,
            previous_hash="",
            hash="",
            occurred_at=datetime(2027, 1, 1, tzinfo=UTC),
            actor_id=None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            organisation_id=None,
            das_id=DAS,
            details=details,
        )
        for n, (action, object_type, object_id, details) in enumerate(specs, start=1)
    ]


def created(agreement_id: int) -> tuple[str, str, int, dict[str, Any]]:
    return (
        "agreement.created",
        "framework_agreement",
        agreement_id,
        {"start_date": "2027-03-15", "end_date": "2029-12-31"},
    )


def countersigned(agreement_id: int) -> tuple[str, str, int, dict[str, Any]]:
    return ("agreement.countersigned", "framework_agreement", agreement_id, {})


@pytest.mark.parametrize(
    ("trail", "state", "end"),
    [
        # An option recorded without agreement_ids moves the live and unsigned ones of its DAS.
        (
            [created(AGREEMENT), ("das.option_exercised", "das", DAS, {"new_end": "2032-12-31"})],
            "awaiting_signature",
            date(2032, 12, 31),
        ),
        # ... but not a suspended one.
        (
            [
                created(AGREEMENT),
                ("agreement.suspended", "framework_agreement", AGREEMENT, {}),
                ("das.option_exercised", "das", DAS, {"new_end": "2032-12-31"}),
            ],
            "suspended",
            date(2029, 12, 31),
        ),
        # With agreement_ids: exactly those.
        (
            [
                created(AGREEMENT),
                (
                    "das.option_exercised",
                    "das",
                    DAS,
                    {"new_end": "2032-12-31", "agreement_ids": []},
                ),
            ],
            "awaiting_signature",
            date(2029, 12, 31),
        ),
        # Ended without end_date: the date it ended, not before the start.
        (
            [
                created(AGREEMENT),
                ("agreement.ended", "framework_agreement", AGREEMENT, {"on": "2027-01-01"}),
            ],
            "ended",
            date(2027, 3, 15),
        ),
        (
            [
                created(AGREEMENT),
                ("agreement.ended", "framework_agreement", AGREEMENT, {"on": "2028-05-01"}),
            ],
            "ended",
            date(2028, 5, 1),
        ),
        (
            [
                created(AGREEMENT),
                (
                    "agreement.ended",
                    "framework_agreement",
                    AGREEMENT,
                    {"on": "2028-05-01", "end_date": "2028-06-01"},
                ),
            ],
            "ended",
            date(2028, 6, 1),
        ),
        # Resumed without a state: live when it was countersigned, else back to signing.
        (
            [
                created(AGREEMENT),
                countersigned(AGREEMENT),
                ("agreement.suspended", "framework_agreement", AGREEMENT, {}),
                ("agreement.resumed", "framework_agreement", AGREEMENT, {}),
            ],
            "live",
            date(2029, 12, 31),
        ),
        (
            [
                created(AGREEMENT),
                ("agreement.suspended", "framework_agreement", AGREEMENT, {}),
                ("agreement.resumed", "framework_agreement", AGREEMENT, {}),
            ],
            "awaiting_signature",
            date(2029, 12, 31),
        ),
    ],
)
def test_agreements_replay(trail: list[Any], state: str, end: date) -> None:
    assert compare(events(*trail), [], [AgreementFact(AGREEMENT, state, end)], []) == []
    wrong = compare(events(*trail), [], [AgreementFact(AGREEMENT, state, date(2040, 1, 1))], [])
    assert [m.kind for m in wrong] == [FactKind.AGREEMENT_END_DATE]
    assert wrong[0].recorded == end.isoformat()


def test_agreements_without_a_creating_event_or_without_a_row() -> None:
    found = compare(
        events(created(AGREEMENT)), [], [AgreementFact(OTHER, "live", date(2029, 12, 31))], []
    )
    assert {(m.kind, m.object_id) for m in found} == {
        (FactKind.AGREEMENT_UNRECORDED, OTHER),
        (FactKind.AGREEMENT_MISSING, AGREEMENT),
    }


def test_lot_outcomes_follow_proposal_return_and_decision() -> None:
    trail = events(
        ("decision.proposed", "application", 1, {"lots": {"10": "admitted", "11": "rejected"}}),
        ("decision.returned", "application", 1, {"reason": "Nog eens"}),
        ("decision.proposed", "application", 1, {"lots": {"10": "rejected", "11": "admitted"}}),
        ("lot.rejected", "application", 1, {"lot_id": 10}),
        ("lot.admitted", "application", 1, {"lot_id": 11}),
    )
    lots = [LotFact(1, 10, "rejected"), LotFact(1, 11, "admitted"), LotFact(2, 10, "pending")]
    assert compare(trail, lots, [], []) == []
    returned = compare(trail[:2], [LotFact(1, 10, "admitted"), LotFact(1, 11, "pending")], [], [])
    assert [(m.part, m.recorded, m.current, m.sequence) for m in returned] == [
        ("10", "pending", "admitted", 2)
    ]


def test_tariff_sheets_hold_to_what_was_published() -> None:
    published = (
        "tariff_sheet.published",
        "tariff_sheet",
        5,
        {"year": 2027, "corrects": None, "amounts": {"1": 6840}, "files": {"pdf": "ab"}},
    )
    legacy = ("tariff_sheet.published", "tariff_sheet", 6, {"year": 2028, "corrects": 5})
    trail = events(published, legacy)
    sheets = [
        SheetFact(5, 2027, None, {1: 6840}, {"csv": "x", "xlsx": "y", "pdf": "ab"}),
        SheetFact(6, 2028, 5, {1: 1}, {}),  # recorded without amounts: not checked
    ]
    assert compare(trail, [], [], sheets) == []
    changed = [SheetFact(5, 2027, None, {1: 6841, 2: 10}, {"pdf": "cd"}), sheets[1]]
    assert [(m.kind, m.part, m.recorded, m.current) for m in compare(trail, [], [], changed)] == [
        (FactKind.SHEET_CHANGED, "files.pdf", "ab", "cd"),
        (FactKind.TARIFF_AMOUNT, "1", "6840", "6841"),
        (FactKind.TARIFF_AMOUNT, "2", None, "10"),
    ]
    assert [m.kind for m in compare(trail, [], [], [sheets[1]])] == [FactKind.SHEET_MISSING]
    assert [m.kind for m in compare(trail[:1], [], [], sheets)] == [FactKind.SHEET_UNRECORDED]
