"""The waiting-time register, provider side (issue 23): update and confirm, all or nothing, with
the checks against the agreement's lots and products and the DAS's municipalities; the history;
who may; two updates at once; the monthly reminder. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import (
    AgreementLot,
    AgreementState,
    AuditEvent,
    AuthorityKind,
    FrameworkAgreement,
    Role,
    User,
    WaitingTime,
    WaitingTimeReminder,
)
from portal.services import Problem, ServiceError, calendar, waiting_times
from portal.services.waiting_times import EntryInput
from tests import factories
from tests.factories import admit, at

NOW = at(date(2026, 11, 2))


@pytest.fixture()
def register(app: Flask):
    """A DAS for a subregion's two municipalities and one more; a provider admitted to both lots
    (its agreement live since March 2026): (das, provider, agreement, authorities by name)."""
    calendar.ensure_statutory_holidays(range(2026, 2028))
    db.session.commit()
    das = factories.DasFactory()
    west = factories.AuthorityFactory(kind=AuthorityKind.SUBREGION, cbs_code=None)
    weert = factories.AuthorityFactory(parent=west)
    nederweert = factories.AuthorityFactory(parent=west)
    roermond = factories.AuthorityFactory()
    elsewhere = factories.AuthorityFactory()
    das.authorities = [weert, nederweert, roermond]
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2026, 3, 2), live=True)
    places = {
        "west": west,
        "weert": weert,
        "nederweert": nederweert,
        "roermond": roermond,
        "elsewhere": elsewhere,
    }
    return das, provider, agreement, places


def lots(das):
    return {lot.code: lot for lot in das.lots}


def entry(lot, *, product=None, authority=None, intake=3, treatment=6, accepts=True, note=""):
    return EntryInput(
        lot.id,
        product.id if product else None,
        authority.id if authority else None,
        intake,
        treatment,
        accepts,
        note,
    )


def rows(agreement_id: int) -> list[tuple[int, int | None, int | None, int, int, bool, bool]]:
    return [
        (w.lot_id, w.product_id, w.authority_id, w.weeks_to_intake, w.weeks_to_treatment,
         w.confirmed_unchanged, w.is_current)
        for w in db.session.scalars(
            db.select(WaitingTime).where(WaitingTime.agreement_id == agreement_id).order_by(WaitingTime.id)
        )
    ]  # fmt: skip


def problems_of(error: ServiceError) -> list[Problem]:
    problems = error.params["problems"]
    assert isinstance(problems, list)
    return problems


def events(action: str, agreement_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == agreement_id)
            .order_by(AuditEvent.id)
        )
    )


def test_an_update_becomes_current_and_the_history_keeps_what_was(app: Flask, register) -> None:
    das, provider, agreement, places = register
    one, two = lots(das)["1"], lots(das)["2"]
    product = one.products[0]
    stored = waiting_times.update(
        provider,
        agreement,
        [
            entry(two, intake=8, treatment=12, accepts=False),
            entry(one, authority=places["roermond"], intake=1, treatment=2),
            entry(one, intake=4, treatment=9, note="  Spoed: bel ons.  "),
            entry(one, product=product, authority=places["west"], intake=2, treatment=5),
        ],
        NOW,
    )
    assert len(stored) == 4
    current = waiting_times.current_entries(agreement)
    # Lot by lot; the whole lot first, then per area (subregions before municipalities), then
    # the lot's products.
    assert [(e.lot.code, e.product_id, e.authority_id) for e in current] == [
        ("1", None, None),
        ("1", None, places["roermond"].id),
        ("1", product.id, places["west"].id),
        ("2", None, None),
    ]
    assert current[0].note == "Spoed: bel ons."  # trimmed
    assert current[3].accepts_new_clients is False
    assert {as_utc(e.reported_at) for e in current} == {NOW}
    assert {e.reported_by_id for e in current} == {provider.id}

    # A week later the wait for lot 1 grew; lot 2 is given again unchanged.
    later = NOW + timedelta(days=7)
    waiting_times.update(
        provider,
        agreement,
        [
            entry(one, intake=6, treatment=10, note="Spoed: bel ons."),
            entry(two, intake=8, treatment=12, accepts=False),
        ],
        later,
    )
    history = rows(agreement.id)
    assert len(history) == 6
    whole_lot_1 = [r for r in history if r[0] == one.id and r[1] is None and r[2] is None]
    assert [(r[3], r[4], r[6]) for r in whole_lot_1] == [(4, 9, False), (6, 10, True)]
    whole_lot_2 = [r for r in history if r[0] == two.id]
    # Given again unchanged: stored as a confirmation, so it counts as up to date.
    assert [(r[5], r[6]) for r in whole_lot_2] == [(False, False), (True, True)]
    current = waiting_times.current_entries(agreement)
    assert len(current) == 4
    assert sorted(as_utc(e.reported_at) for e in current) == [NOW, NOW, later, later]

    logged = events("waiting_times.updated", agreement.id)
    assert [e.details for e in logged] == [
        {"entries": 4, "changed": 4, "unchanged": 0, "withdrawn": 0},
        {"entries": 2, "changed": 1, "unchanged": 1, "withdrawn": 0},
    ]
    assert {(e.actor_id, e.organisation_id, e.das_id) for e in logged} == {
        (provider.id, agreement.organisation_id, das.id)
    }


def test_an_update_through_the_api_says_with_which_token(app: Flask, register) -> None:
    das, provider, agreement, _places = register
    token = factories.add_api_token(provider.organisation, provider, ["waiting_times"])[0]
    waiting_times.update(provider, agreement, [entry(lots(das)["1"])], NOW, api_token_id=token.id)
    waiting_times.confirm(provider, agreement, NOW + timedelta(days=1), api_token_id=token.id)
    assert [w.api_token_id for w in db.session.scalars(db.select(WaitingTime))] == [token.id] * 2


def test_every_wrong_entry_is_named_and_nothing_is_stored(app: Flask, register) -> None:
    das, provider, agreement, places = register
    one, two = lots(das)["1"], lots(das)["2"]
    other_das = factories.DasFactory()
    foreign_lot = other_das.lots[0]
    waiting_times.update(provider, agreement, [entry(one, intake=1, treatment=1)], NOW)
    before = rows(agreement.id)
    wrong = [
        entry(two, intake=2, treatment=3),  # fine, but stored only with the rest
        entry(foreign_lot),
        entry(one, product=two.products[0]),
        entry(one, authority=places["elsewhere"]),
        entry(one, intake=-1, treatment=2),
        entry(one, authority=places["weert"], intake=5, treatment=200),
        entry(one, authority=places["nederweert"], intake=7, treatment=3),
        entry(two, authority=places["west"], note="x" * 501),
        entry(two, intake=1, treatment=1),  # lot 2 for the whole region again
    ]
    with pytest.raises(ServiceError) as refused:
        waiting_times.update(provider, agreement, wrong, NOW + timedelta(days=1))
    assert refused.value.code == "waiting_times_refused"
    found = [(p.code, p.params["entry"], p.params["field"]) for p in problems_of(refused.value)]
    assert found == [
        ("waiting_lot_not_in_agreement", 1, "lot_id"),
        ("waiting_product_not_in_lot", 2, "product_id"),
        ("waiting_authority_not_in_das", 3, "authority_id"),
        ("waiting_weeks_out_of_range", 4, "weeks_to_intake"),
        ("waiting_weeks_out_of_range", 5, "weeks_to_treatment"),
        ("treatment_before_intake", 6, "weeks_to_treatment"),
        ("waiting_note_too_long", 7, "note"),
        ("waiting_entry_repeated", 8, "lot_id"),
    ]
    assert rows(agreement.id) == before
    assert len(events("waiting_times.updated", agreement.id)) == 1


def test_only_current_lots_and_products_count(app: Flask, register) -> None:
    das, provider, agreement, _places = register
    one, two = lots(das)["1"], lots(das)["2"]
    db.session.get(AgreementLot, (agreement.id, two.id)).ended_on = date(2026, 10, 1)
    one.products[0].valid_to = date(2026, 10, 31)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        waiting_times.update(
            provider, agreement, [entry(two), entry(one, product=one.products[0])], NOW
        )
    assert [p.code for p in problems_of(refused.value)] == [
        "waiting_lot_not_in_agreement",
        "waiting_product_not_in_lot",
    ]
    assert [lot.code for lot in waiting_times.current_lots(agreement)] == ["1"]


def test_a_subregion_of_the_das_counts_as_served(app: Flask, register) -> None:
    das, provider, agreement, places = register
    served = waiting_times.served_authorities(agreement)
    assert [a.id for a in served] == [
        places["west"].id,
        *sorted(
            (places[n].id for n in ("weert", "nederweert", "roermond")),
            key=lambda i: db.session.get(type(places["west"]), i).name,
        ),
    ]
    assert places["elsewhere"] not in served


def test_nobody_else_keeps_the_register(app: Flask, register) -> None:
    das, provider, agreement, _places = register
    stranger = factories.ProviderUserFactory()
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    for user in (stranger, manager):
        with pytest.raises(ServiceError) as refused:
            waiting_times.update(user, agreement, [entry(lots(das)["1"])], NOW)
        assert refused.value.code == "not_found"
        with pytest.raises(ServiceError) as refused:
            waiting_times.confirm(user, agreement, NOW)
        assert refused.value.code == "not_found"
    # A colleague of the provider may.
    colleague = factories.ProviderUserFactory(organisation=provider.organisation)
    waiting_times.update(colleague, agreement, [entry(lots(das)["1"])], NOW)
    assert len(rows(agreement.id)) == 1


@pytest.mark.parametrize("state", [AgreementState.SUSPENDED, AgreementState.ENDED])
def test_only_a_live_agreement_keeps_a_register(app: Flask, register, state) -> None:
    das, provider, agreement, _places = register
    waiting_times.update(provider, agreement, [entry(lots(das)["1"])], NOW)
    agreement.state = state
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        waiting_times.update(
            provider, agreement, [entry(lots(das)["1"], intake=9, treatment=9)], NOW
        )
    assert refused.value.code == "waiting_times_agreement_not_live"
    with pytest.raises(ServiceError) as refused:
        waiting_times.confirm(provider, agreement, NOW)
    assert refused.value.code == "waiting_times_agreement_not_live"
    assert len(rows(agreement.id)) == 1


def test_an_empty_update_is_refused(app: Flask, register) -> None:
    _das, provider, agreement, _places = register
    with pytest.raises(ServiceError) as refused:
        waiting_times.update(provider, agreement, [], NOW)
    assert refused.value.code == "waiting_times_nothing"


def test_confirm_copies_every_current_entry_as_of_now(app: Flask, register) -> None:
    das, provider, agreement, places = register
    with pytest.raises(ServiceError) as refused:
        waiting_times.confirm(provider, agreement, NOW)
    assert refused.value.code == "waiting_times_nothing_to_confirm"
    one = lots(das)["1"]
    waiting_times.update(
        provider,
        agreement,
        [entry(one, intake=3, treatment=5, note="Let op"), entry(one, authority=places["west"])],
        NOW,
    )
    later = NOW + timedelta(days=40)
    assert waiting_times.needs_attention(waiting_times.current_entries(agreement), later)
    assert waiting_times.confirm(provider, agreement, later) == 2
    current = waiting_times.current_entries(agreement)
    assert [(e.weeks_to_intake, e.weeks_to_treatment, e.note, e.confirmed_unchanged) for e in current] == [
        (3, 5, "Let op", True),
        (3, 6, "", True),
    ]  # fmt: skip
    assert {as_utc(e.reported_at) for e in current} == {later}
    assert not waiting_times.needs_attention(current, later)
    assert len(rows(agreement.id)) == 4
    [event] = events("waiting_times.confirmed", agreement.id)
    assert event.details == {"entries": 2} and event.actor_id == provider.id


def test_withdrawing_an_entry_that_no_longer_holds(app: Flask, register) -> None:
    das, provider, agreement, places = register
    one = lots(das)["1"]
    waiting_times.update(
        provider, agreement, [entry(one), entry(one, authority=places["roermond"])], NOW
    )
    roermond = next(e for e in waiting_times.current_entries(agreement) if e.authority_id)
    # Another agreement's entry is not this one's to withdraw.
    other_provider = factories.ProviderUserFactory()
    other = admit(das, other_provider, date(2026, 3, 3), live=True)
    waiting_times.update(other_provider, other, [entry(one, authority=places["roermond"])], NOW)
    foreign = waiting_times.current_entries(other)[0]
    with pytest.raises(ServiceError) as refused:
        waiting_times.update(provider, agreement, [], NOW, withdraw=[foreign.id])
    assert refused.value.code == "waiting_entry_not_current"
    assert waiting_times.current_entries(other) == [foreign]
    waiting_times.update(provider, agreement, [], NOW + timedelta(days=1), withdraw=[roermond.id])
    assert [e.authority_id for e in waiting_times.current_entries(agreement)] == [None]
    # Withdrawn already: a second time is refused (someone else did it meanwhile).
    with pytest.raises(ServiceError) as refused:
        waiting_times.update(provider, agreement, [], NOW, withdraw=[roermond.id])
    assert refused.value.code == "waiting_entry_not_current"
    assert events("waiting_times.updated", agreement.id)[-1].details["withdrawn"] == 1


def test_two_updates_at_once_leave_one_current_entry(app: Flask, register) -> None:
    """Two people of the provider update the same entry at the same moment: they take turns, both
    are kept in the history, and exactly one counts."""
    das, provider, agreement, _places = register
    colleague = factories.ProviderUserFactory(organisation=provider.organisation)
    lot_id, agreement_id = lots(das)["1"].id, agreement.id
    waiting_times.update(provider, agreement, [entry(lots(das)["1"])], NOW)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def update(user_id: int, weeks: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            own = db.session.get(FrameworkAgreement, agreement_id)
            assert user is not None and own is not None
            barrier.wait()
            try:
                waiting_times.update(
                    user, own, [EntryInput(lot_id, None, None, weeks, weeks, True)], NOW
                )
                results.append("ok")
            except Exception as error:  # noqa: BLE001 - the test reports what went wrong
                results.append(repr(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=update, args=(provider.id, 8)),
        threading.Thread(target=update, args=(colleague.id, 9)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok", "ok"], results
    db.session.expire_all()
    history = rows(agreement_id)
    assert len(history) == 3
    assert [r[6] for r in history] == [False, False, True]


def test_the_database_refuses_a_second_current_entry(app: Flask, register) -> None:
    """The partial unique index is the last wall, NULL product and authority included."""
    das, provider, agreement, _places = register
    waiting_times.update(provider, agreement, [entry(lots(das)["1"])], NOW)
    db.session.add(
        WaitingTime(
            agreement_id=agreement.id,
            lot_id=lots(das)["1"].id,
            weeks_to_intake=1,
            weeks_to_treatment=1,
            accepts_new_clients=True,
            reported_by_id=provider.id,
            is_current=True,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_monthly_reminder(app: Flask, register, mailbox) -> None:
    das, provider, agreement, _places = register
    colleague = factories.ProviderUserFactory(organisation=provider.organisation)
    # Awaiting signatures: no register to keep yet, so no reminder.
    waiting = admit(das, factories.ProviderUserFactory(), date(2026, 3, 3))
    # Nothing in the register yet: reminded, everyone of the provider.
    assert waiting_times.send_reminders(NOW) == 2
    mail = mailbox.last_to(colleague.email)
    body = mailbox.body(mail)
    assert "nog geen wachttijden" in body
    assert f"/aanbieder/overeenkomsten/{agreement.id}/wachttijden" in body
    # Run again the same month (another day, or twice a day): nobody is mailed again.
    assert waiting_times.send_reminders(NOW + timedelta(days=1)) == 0
    assert waiting_times.send_reminders(NOW) == 0
    # Filled in: up to date next month, so no reminder.
    waiting_times.update(provider, agreement, [entry(lots(das)["1"])], NOW + timedelta(days=3))
    december = at(date(2026, 12, 1))
    assert waiting_times.send_reminders(december) == 0
    # Outdated by January: reminded once that month, with the day it became outdated.
    january = at(date(2027, 1, 4))
    assert waiting_times.send_reminders(january) == 2
    assert "sinds 05-12-2026" in mailbox.body(mailbox.last_to(provider.email))
    assert waiting_times.send_reminders(january + timedelta(days=3)) == 0
    months = db.session.scalars(
        db.select(WaitingTimeReminder.month).order_by(WaitingTimeReminder.id)
    ).all()
    assert months == ["2026-11", "2027-01"]
    assert (
        db.session.scalar(
            db.select(sa.func.count()).where(WaitingTimeReminder.agreement_id == waiting.id)
        )
        == 0
    )


def test_the_dashboard_lists_registers_that_need_attention(app: Flask, register) -> None:
    das, provider, agreement, _places = register
    organisation_id = agreement.organisation_id
    found, [due] = waiting_times.dashboard_agreements(organisation_id, NOW)
    assert [a.id for a in found] == [agreement.id]
    assert (due.agreement_id, due.outdated_since) == (agreement.id, None)
    waiting_times.update(provider, agreement, [entry(lots(das)["1"])], NOW)
    assert waiting_times.dashboard_agreements(organisation_id, NOW + timedelta(days=30))[1] == []
    _found, [due] = waiting_times.dashboard_agreements(organisation_id, NOW + timedelta(days=31))
    assert due.outdated_since == date(2026, 12, 2)


def test_the_demo_shows_a_filled_register(app: Flask) -> None:
    """`make run` shows the register filled, with a history that moved."""
    from portal.devdata.demo import load_demo

    load_demo(date(2026, 11, 22))
    live = db.session.scalars(
        db.select(FrameworkAgreement).where(FrameworkAgreement.state == AgreementState.LIVE)
    ).all()
    assert live
    for agreement in live:
        current = waiting_times.current_entries(agreement)
        assert len(current) >= 3
        assert {e.confirmed_unchanged for e in current} == {True}
        assert not waiting_times.needs_attention(current, at(date(2026, 11, 22)))
        assert len(rows(agreement.id)) == 3 * len(current)
    load_demo(date(2026, 11, 22))  # loaded again: nothing doubled
    assert sum(len(rows(a.id)) for a in live) == sum(
        3 * len(waiting_times.current_entries(a)) for a in live
    )
