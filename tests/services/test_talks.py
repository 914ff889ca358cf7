"""Contract talks per year (issue 21, seed 003 §2.4): the selection by clients and turnover, each
year again; talks with several providers at once with the outcome per provider; the history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from portal.domain import contract_management as rules
from portal.extensions import db
from portal.models import AuditEvent, Role, TalkKind, TalkParticipant
from portal.services import ServiceError, kpis
from tests import factories
from tests.factories import at

TODAY = date(2027, 3, 15)


@pytest.fixture
def year_of_talks(app: Flask):
    """A DAS (term 2026-2029) with the default KPIs, four live providers (A to D) and its
    contract manager: (das, agreements by letter, providers by letter, manager)."""
    das = factories.DasFactory(talks_top_n=2)
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    agreements, providers = {}, {}
    for letter in "ABCD":
        provider = factories.ProviderUserFactory(organisation__legal_name=f"Aanbieder {letter}")
        providers[letter] = provider
        agreements[letter] = factories.admit(das, provider, date(2026, 1, 5), live=True)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    return das, agreements, providers, manager


def _figures(das, agreement, provider, year: int, clients: int, turnover: int) -> None:
    """A provider's clients and turnover for the first quarter of `year`."""
    definitions = {d.code: d for d in kpis.definitions_of(das.id)}
    kpis.report(
        provider,
        agreement,
        [
            kpis.Figure(definitions[kpis.CLIENTS], date(year, 1, 1), Decimal(clients)),
            kpis.Figure(definitions[kpis.TURNOVER], date(year, 1, 1), Decimal(turnover)),
        ],
        "",
        date(year, 4, 20),
        at(date(year, 4, 20)),
    )


def _names(candidates) -> list[str]:
    return [c.agreement.organisation.legal_name for c in candidates]


def test_the_selection_ranks_by_clients_and_turnover_of_the_base_year(year_of_talks) -> None:
    das, agreements, providers, manager = year_of_talks
    # 2026: C and A are the largest; in 2027, D and B.
    for letter, clients, turnover in (("A", 40, 300_000), ("B", 5, 20_000), ("C", 60, 500_000)):
        _figures(das, agreements[letter], providers[letter], 2026, clients, turnover)
    _figures(das, agreements["D"], providers["D"], 2027, 90, 900_000)
    _figures(das, agreements["B"], providers["B"], 2027, 80, 800_000)

    top_2027 = kpis.talk_candidates(das, 2027, base_year=2026)
    assert _names(top_2027) == ["Aanbieder C", "Aanbieder A"]  # talks_top_n = 2
    assert [c.rank for c in top_2027] == [1, 2]
    assert top_2027[0].ranked.turnover_cents == 500_000_00 and top_2027[0].selection is None
    # D reported nothing over 2026 until now: no rank, whatever it reports later.
    assert _names(kpis.talk_candidates(das, 2028, base_year=2027)) == [
        "Aanbieder D",
        "Aanbieder B",
    ]


def test_the_year_selection_is_kept_per_year_and_replaced_as_a_whole(year_of_talks) -> None:
    das, agreements, providers, manager = year_of_talks
    a, b, c = agreements["A"], agreements["B"], agreements["C"]
    assert kpis.set_selection(manager, das, 2027, [a, b], "Top 2 op omzet 2026", at(TODAY)) == (
        2,
        0,
    )
    # The next year is selected again, on its own.
    kpis.set_selection(manager, das, 2028, [c], "Signaal uit de toegang", at(TODAY))
    # 2027 again: B stays with its reason, A goes, C comes with the new reason.
    assert kpis.set_selection(manager, das, 2027, [b, c], "Nieuw in de top", at(TODAY)) == (1, 1)
    assert kpis.selection_of(a, 2027) is None
    assert kpis.selection_of(b, 2027).reason == "Top 2 op omzet 2026"
    assert kpis.selection_of(c, 2027).reason == "Nieuw in de top"
    assert kpis.selection_of(c, 2028).reason == "Signaal uit de toegang"
    assert kpis.selection_of(b, 2028) is None
    # Someone newly selected needs a reason; keeping the selection as it is needs none.
    with pytest.raises(ServiceError) as refused:
        kpis.set_selection(manager, das, 2027, [b, c, a], " ", at(TODAY))
    assert refused.value.code == "selection_reason_required"
    assert kpis.selection_of(a, 2027) is None
    assert kpis.set_selection(manager, das, 2027, [b, c], "", at(TODAY)) == (0, 0)
    # Both acts are in each provider's history.
    kinds = db.session.scalars(
        db.select(AuditEvent.action)
        .where(AuditEvent.object_type == "framework_agreement", AuditEvent.object_id == a.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [k for k in kinds if k.startswith("talk.")] == ["talk.selected", "talk.unselected"]
    # Selected providers outside the top are still on the form, after the ranked ones.
    _figures(das, a, providers["A"], 2026, 10, 100_000)
    assert _names(kpis.talk_candidates(das, 2027, 2026)) == [
        "Aanbieder A",
        "Aanbieder B",
        "Aanbieder C",
    ]
    assert [c_.rank for c_ in kpis.talk_candidates(das, 2027, 2026)] == [1, None, None]


def test_a_development_talk_with_several_providers_and_the_outcome_for_each(
    year_of_talks,
) -> None:
    das, agreements, providers, manager = year_of_talks
    a, b, c = agreements["A"], agreements["B"], agreements["C"]
    # Proposed for later: the providers are invited, nothing is concluded yet.
    with pytest.raises(ServiceError) as refused:
        kpis.log_group_talk(
            manager,
            das,
            [a, b],
            TalkKind.DEVELOPMENT,
            date(2027, 5, 1),
            "Ontwikkelopgave thuisnabij",
            "Beleid, CM, A, B",
            "",
            {a.id: "Doet mee"},
            [],
            TODAY,
        )
    assert refused.value.code == "talk_report_before_held"
    talk = kpis.log_group_talk(
        manager,
        das,
        [a, b, a],  # twice is once
        TalkKind.DEVELOPMENT,
        date(2027, 5, 1),
        "Ontwikkelopgave thuisnabij",
        "Beleid, CM, A, B",
        "",
        {},
        [],
        TODAY,
    )
    assert talk.status is rules.TalkStatus.PLANNED and talk.topic == "Ontwikkelopgave thuisnabij"
    assert [p.agreement_id for p in talk.providers] == [a.id, b.id]
    # Each provider's agreement shows the talk; a provider not invited does not.
    assert [t.id for t in kpis.talks_of(a)] == [talk.id]
    assert [t.id for t in kpis.talks_of(b)] == [talk.id]
    assert kpis.talks_of(c) == []

    # Held: the report with an outcome per provider; one not invited is refused.
    with pytest.raises(ServiceError) as refused:
        kpis.enter_report(
            manager, talk, date(2027, 5, 1), "X", [], date(2027, 5, 2), {c.id: "Niet erbij"}
        )
    assert refused.value.code == "talk_provider_not_invited"
    kpis.enter_report(
        manager,
        talk,
        date(2027, 5, 1),
        "Samen een plan voor thuisnabije zorg",
        [],
        date(2027, 5, 2),
        {a.id: "A trekt het plan", b.id: "B levert twee locaties"},
    )
    db.session.expire_all()
    outcomes = {
        p.agreement_id: p.outcome
        for p in db.session.scalars(
            db.select(TalkParticipant).where(TalkParticipant.talk_id == talk.id)
        )
    }
    assert outcomes == {a.id: "A trekt het plan", b.id: "B levert twee locaties"}
    # An outcome changed afterwards, for one provider.
    talk = kpis.talks_of(b)[0]
    kpis.record_outcome(manager, talk, b.id, "B levert drie locaties")
    with pytest.raises(ServiceError) as refused:
        kpis.record_outcome(manager, talk, c.id, "Niet uitgenodigd")
    assert refused.value.code == "talk_provider_not_invited"
    db.session.expire_all()
    assert {p.agreement_id: p.outcome for p in kpis.talks_of(a)[0].providers} == {
        a.id: "A trekt het plan",
        b.id: "B levert drie locaties",
    }
    # The register's summary and the DAS's selection count the talk for both.
    summaries = kpis.talk_summaries([a.id, b.id, c.id], 2027)
    assert summaries[a.id].last_held == summaries[b.id].last_held == date(2027, 5, 1)
    assert summaries[c.id].last_held is None
    kpis.set_selection(manager, das, 2027, [b, c], "Top", at(TODAY))
    assert [
        (s.last_held, s.next_planned) for s in kpis.selected_providers(das.id, 2027, TODAY)
    ] == [
        (date(2027, 5, 1), None),
        (None, None),
    ]


def test_a_talk_with_several_providers_is_a_development_talk_of_one_das(
    app: Flask, year_of_talks
) -> None:
    das, agreements, providers, manager = year_of_talks
    a, b = agreements["A"], agreements["B"]
    args: tuple[Any, ...] = (date(2027, 3, 1), "", "Beleid, CM", "Afspraken", {}, [], TODAY)
    with pytest.raises(ServiceError) as refused:
        kpis.log_group_talk(manager, das, [a, b], TalkKind.ACCOUNT, *args)
    assert refused.value.code == "account_talk_one_provider"
    with pytest.raises(ServiceError) as refused:
        kpis.log_group_talk(manager, das, [], TalkKind.DEVELOPMENT, *args)
    assert refused.value.code == "talk_providers_required"
    # Another DAS's provider cannot be slipped into this DAS's talk (nor its selection).
    other_das = factories.DasFactory()
    stranger = factories.admit(
        other_das, factories.ProviderUserFactory(), date(2026, 1, 5), live=True
    )
    with pytest.raises(ServiceError) as refused:
        kpis.log_group_talk(manager, das, [a, stranger], TalkKind.DEVELOPMENT, *args)
    assert refused.value.code == "talk_provider_not_in_das"
    with pytest.raises(ServiceError) as refused:
        kpis.set_selection(manager, das, 2027, [stranger], "Waarom niet", at(TODAY))
    assert refused.value.code == "talk_provider_not_in_das"
    # A contract manager of the other DAS may not log a talk with this DAS's providers.
    elsewhere = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(elsewhere, other_das)
    with pytest.raises(ServiceError):
        kpis.log_group_talk(elsewhere, das, [a, b], TalkKind.DEVELOPMENT, *args)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(TalkParticipant)) == 0
    # One provider in an account talk is as before.
    talk = kpis.log_talk(manager, a, TalkKind.ACCOUNT, date(2027, 3, 1), "CM", "Afspraken", [])
    assert [p.agreement_id for p in talk.providers] == [a.id]


def test_the_history_per_year(year_of_talks) -> None:
    das, agreements, providers, manager = year_of_talks
    a, b, c = agreements["A"], agreements["B"], agreements["C"]
    kpis.set_selection(manager, das, 2026, [a], "Top", at(date(2026, 1, 10)))
    kpis.set_selection(manager, das, 2027, [a, b, c], "Top", at(TODAY))
    held: tuple[Any, ...] = (date(2026, 6, 1), "", "CM", "Afspraken", {}, [], date(2026, 6, 2))
    kpis.log_group_talk(manager, das, [a, b], TalkKind.DEVELOPMENT, *held)
    kpis.log_group_talk(manager, das, [a], TalkKind.ACCOUNT, *held)
    kpis.log_group_talk(
        manager, das, [b, c], TalkKind.DEVELOPMENT, date(2027, 6, 1), "", "CM", "", {}, [], TODAY
    )
    history = kpis.talk_history(das.id, range(2026, 2030))
    assert history == [
        kpis.TalkYear(2026, selected=1, planned=0, held=2, providers_talked_to=2),
        kpis.TalkYear(2027, selected=3, planned=1, held=0, providers_talked_to=0),
        kpis.TalkYear(2028, 0, 0, 0, 0),
        kpis.TalkYear(2029, 0, 0, 0, 0),
    ]
    assert [len(t.providers) for t in kpis.talks_in_year(das.id, 2026)] == [2, 1]
    assert [t.held_on for t in kpis.talks_in_year(das.id, 2027)] == [date(2027, 6, 1)]


@pytest.mark.parametrize(
    ("group_talk", "providers", "allowed"),
    [(False, 1, True), (False, 2, False), (True, 1, True), (True, 5, True), (True, 0, False)],
)
def test_who_may_be_at_one_talk(group_talk: bool, providers: int, allowed: bool) -> None:
    assert rules.talk_providers_allowed(group_talk, providers) is allowed
