"""SQL statements per page: the same for a small and a large data set (no query per row), and at
most 15. Lists that can grow are paginated, so the larger set does not add queries.

    SHOW_QUERIES="review page" pytest -s tests/test_query_counts.py   # print a page's statements
    LARGE=60 pytest -s tests/test_query_counts.py                     # a larger "large" set
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import (
    Application,
    Das,
    EvidenceType,
    FrameworkAgreement,
    IjwUnit,
    Product,
    Question,
    QuestionSubject,
    Role,
    TalkKind,
    TariffSheet,
    User,
)
from portal.services import (
    agreements,
    applications,
    calendar,
    kpis,
    lump_sums,
    questions,
    reverification,
    tariffs,
)
from portal.services.audit import record
from tests import factories
from tests.factories import admit, at
from tests.support.app import login

MAX_QUERIES = 15
SMALL, LARGE = 3, int(os.environ.get("LARGE", 30))
# Transaction bookkeeping is not a query a page chose to run.
NOISE = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@dataclass
class World:
    das: Das
    provider: User
    draft: Application  # the provider's draft for lot 2
    in_review: Application  # another provider's application for lot 2
    agreement: FrameworkAgreement
    sheet: TariffSheet
    reviewer: User
    manager: User
    admin: User


QUARTERS = [date(year, month, 1) for year in (2024, 2025) for month in (1, 4, 7, 10)]


def build(size: int) -> World:
    """`size` providers, each admitted to lot 1 (an agreement, signed for every other one) with
    KPI figures per quarter, and each with an application for lot 2: in review, but a draft for
    the first provider (its exclusion and suitability pages are for drafts). The larger set
    also has more products and more tariff sheets, and the paged lists get `size`
    more rows each: the first provider's documents (some about to lapse) and KPI corrections,
    events on the timelines of the application in review and of the agreement, and profile
    changes of the organisation in review."""
    calendar.ensure_statutory_holidays(range(2024, 2028))
    db.session.commit()
    das = factories.DasFactory(term_start=date(2024, 1, 1))
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    lot_one, lot_two = das.lots
    for n in range(size):
        lot_one.products.append(
            Product(code=f"45B{n:02d}", name=f"Product {n}", ijw_category="45", unit=IjwUnit.HOUR)
        )
    db.session.commit()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    definitions = {d.code: d for d in kpis.definitions_of(das.id)}
    quarters = QUARTERS[: max(2, size // 4)]
    first: tuple[User, Application, FrameworkAgreement] | None = None
    for n in range(size):
        provider = factories.ProviderUserFactory()
        agreement = admit(das, provider, date(2024, 1, 8), lots=[lot_one])
        if n % 2 == 0:
            agreements.sign(
                agreement, provider, factories.PASSWORD, "1.1.1.1", at(date(2024, 2, 1))
            )
            agreements.countersign(
                agreement, admin, factories.PASSWORD, "2.2.2.2", at(date(2024, 2, 1))
            )
            # A lump-sum agreement (issue 21): ceilings revised `size // 4` times, and a result
            # beyond the 3% valve waiting for the contract manager.
            lump_sums.agree_ceiling(
                manager, agreement, 2024, 1_000_000_00, "", at(date(2024, 2, 1))
            )
            for k in range(size // 4):
                lump_sums.agree_ceiling(
                    manager, agreement, 2024, 1_000_000_00 + k, "Herijkt.", at(date(2024, 3, 1))
                )
            lump_sums.report_result(
                provider, agreement, 2024, 90_000_00, "Acc", at(date(2025, 3, 1)), date(2025, 3, 1)
            )
        figures = [
            kpis.Figure(definitions[code], quarter, Decimal(10 + n))
            for quarter in quarters
            for code in ("CLIENTS", "WAITING")
        ]
        kpis.report(provider, agreement, figures, "", date(2026, 6, 1), at(date(2026, 6, 1)))
        application = factories.complete_draft(das, provider, date(2026, 6, 1), lots=[lot_two])
        if n == 0:
            first = (provider, application, agreement)
        else:
            applications.submit(application, provider, at(date(2026, 6, 1)))
            in_review = application
    products = tariffs.products_of(das, 2024)
    sheet = tariffs.publish_base(
        admin, das, 2024, {p.id: 10_000 for p in products}, at(date(2024, 1, 2))
    )
    for n in range(size // 3):
        sheet = tariffs.publish_base(
            admin,
            das,
            2024,
            {p.id: 10_000 + n for p in products},
            at(date(2024, 1, 3)),
            corrects=sheet,
            note=f"Correctie {n}",
        )
    assert first is not None
    provider, draft, agreement = first
    today = date.today()
    for n in range(size):
        factories.upload_pdf(
            provider,
            EvidenceType.INSURANCE_POLICY,
            date(2024, 1, 1),
            expires_on=today + timedelta(days=n % 90),  # every other one within the warning
        )
        kpis.report(
            provider,
            agreement,
            [kpis.Figure(definitions["CLIENTS"], quarters[0], Decimal(100 + n))],
            f"Correctie {n}",
            date(2026, 6, 1),
            at(date(2026, 6, 1)),
        )
        record("application.assigned", in_review, admin, assignee_id=reviewer.id)
        record("agreement.lots_added", agreement, admin)
        record(
            "organisation.updated",
            in_review.organisation,
            admin,
            changes={"city": [f"Plaats {n}", f"Plaats {n + 1}"]},
        )
    # SROI reference turnover (issue 21): every provider's 2023 and 2024, entered.
    for entered in db.session.scalars(
        db.select(FrameworkAgreement).where(FrameworkAgreement.das_id == das.id)
    ):
        for year in (2023, 2024):
            kpis.save_turnover(
                manager, entered, year, 300_000_00 + entered.id, today, at(date(2026, 6, 1))
            )
    # Talks of 2025 (issue 21): every live provider selected, a development talk with all of
    # them, and an account talk with each.
    live = kpis.providers_for_talks(das.id)
    kpis.set_selection(manager, das, 2025, live, "Top", at(date(2025, 1, 10)))
    for talked_to, kind in [(live, TalkKind.DEVELOPMENT)] + [
        ([one], TalkKind.ACCOUNT) for one in live
    ]:
        kpis.log_group_talk(
            manager,
            das,
            talked_to,
            kind,
            date(2025, 6, 1),
            "Thema",
            "CM",
            "Afspraken",
            {},
            [],
            date(2025, 6, 2),
        )
    # Questions about the announcement (issue 20): answered (the first one corrected too),
    # merged into the first one, and open.
    subjects = list(QuestionSubject)
    asked = [
        questions.ask(
            das,
            provider,
            subjects[n % len(subjects)],
            f"Vraag {n} over de aankondiging?",
            at(today),
        )
        for n in range(size)
    ]
    for n, question in enumerate(asked):
        if n % 3 == 0:
            questions.save_answer(
                question, reviewer, f"Antwoord {n}.", question.subject, publish=True, now=at(today)
            )
        elif n % 3 == 1:
            questions.merge(question, asked[0].id, reviewer, at(today))
    questions.correct(asked[0], reviewer, "Antwoord 0, gecorrigeerd.", at(today))
    db.session.commit()
    # The first provider's waiting-time register (issue 23): the whole lot, and each of its
    # `size` products apart (a row each on the provider's page).
    from portal.services import waiting_times

    waiting_times.update(
        provider,
        agreement,
        [waiting_times.EntryInput(lot_one.id, None, None, 2, 4, True)]
        + [waiting_times.EntryInput(lot_one.id, p.id, None, 1, 3, True) for p in lot_one.products],
        at(today),
    )
    # The provider's API tokens (issue 23): three live, the others revoked (at most 25 live).
    from portal.models import ApiScope
    from portal.services import api_tokens

    for n in range(size):
        token = api_tokens.create(provider, f"Sleutel {n}", [ApiScope.KPI], at(today)).token
        if n >= 3:
            api_tokens.revoke(provider, token.id, at(today))
    # The waiting-time register (issue 23): every agreement reports lot 1 (`size // 4` earlier
    # reports as history) and one product of it; the live ones show in the public search.
    for n, reporting in enumerate(
        db.session.scalars(db.select(FrameworkAgreement).where(FrameworkAgreement.das_id == das.id))
    ):
        for k in range(size // 4 + 1):
            factories.add_waiting_time(
                reporting, lot_one, at(today - timedelta(days=40 - k)), intake=n % 9 + k
            )
        factories.add_waiting_time(
            reporting, lot_one, at(today), intake=n % 5, product=lot_one.products[n % size]
        )
    return World(das, provider, draft, in_review, agreement, sheet, reviewer, manager, admin)


def _first_question(world: World) -> int | None:
    return db.session.scalar(
        db.select(Question.id).where(Question.das_id == world.das.id, Question.number == 1)
    )


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(NOISE):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


# (page name, who is signed in, URL)
PAGES: list[tuple[str, Callable[[World], User | None], Callable[[World], str]]] = [
    ("public home", lambda w: None, lambda w: "/"),
    ("public DAS page", lambda w: None, lambda w: f"/das/{w.das.slug}"),
    ("public products", lambda w: None, lambda w: f"/das/{w.das.slug}/producten"),
    ("public tariff sheets", lambda w: None, lambda w: f"/das/{w.das.slug}/tarieven"),
    ("public providers", lambda w: None, lambda w: f"/das/{w.das.slug}/aanbieders"),
    (
        "public providers of lot",
        lambda w: None,
        lambda w: f"/das/{w.das.slug}/aanbieders?perceel={w.das.lots[0].id}",
    ),
    ("award notices", lambda w: None, lambda w: f"/das/{w.das.slug}/gunningen"),
    ("public tariff sheet", lambda w: None, lambda w: f"/das/{w.das.slug}/tarieven/{w.sheet.id}"),
    ("OCDS package", lambda w: None, lambda w: f"/das/{w.das.slug}/ocds.json"),
    ("OCDS releases", lambda w: None, lambda w: f"/das/{w.das.slug}/ocds/releases.json"),
    ("OCDS record", lambda w: None, lambda w: f"/das/{w.das.slug}/ocds/record.json"),
    ("provider dashboard", lambda w: w.provider, lambda w: "/aanbieder/"),
    ("provider documents", lambda w: w.provider, lambda w: "/aanbieder/documenten"),
    (
        "provider application",
        lambda w: w.provider,
        lambda w: f"/aanbieder/aanmeldingen/{w.draft.id}",
    ),
    (
        "provider exclusion",
        lambda w: w.provider,
        lambda w: f"/aanbieder/aanmeldingen/{w.draft.id}/uitsluitingsgronden",
    ),
    (
        "provider suitability",
        lambda w: w.provider,
        lambda w: f"/aanbieder/aanmeldingen/{w.draft.id}/geschiktheidseisen",
    ),
    (
        "provider lots",
        lambda w: w.provider,
        lambda w: f"/aanbieder/aanmeldingen/{w.draft.id}/percelen",
    ),
    (
        "provider ESPD import",
        lambda w: w.provider,
        lambda w: f"/aanbieder/aanmeldingen/{w.draft.id}/espd-importeren",
    ),
    (
        "provider check and submit",
        lambda w: w.provider,
        lambda w: f"/aanbieder/aanmeldingen/{w.draft.id}/indienen",
    ),
    ("glossary", lambda w: None, lambda w: "/begrippen"),
    # The verification page (issue 24), empty and looking up an agreement's documents.
    ("verify document", lambda w: None, lambda w: "/documenten/controleren"),
    (
        "verify document by reference",
        lambda w: None,
        lambda w: f"/documenten/controleren?kenmerk={w.agreement.reference}",
    ),
    ("provider API tokens", lambda w: w.provider, lambda w: "/aanbieder/api-sleutels"),
    (
        "provider waiting times",
        lambda w: w.provider,
        lambda w: f"/aanbieder/overeenkomsten/{w.agreement.id}/wachttijden",
    ),
    # The nota van inlichtingen (issue 20): the public page, the provider's and the staff's.
    ("public questions", lambda w: None, lambda w: f"/das/{w.das.slug}/vragen-en-antwoorden"),
    ("provider questions", lambda w: w.provider, lambda w: f"/aanbieder/das/{w.das.slug}/vragen"),
    (
        "staff questions",
        lambda w: w.reviewer,
        lambda w: f"/beoordeling/das/{w.das.slug}/vragen?toon=all",
    ),
    (
        "staff question",
        lambda w: w.reviewer,
        lambda w: f"/beoordeling/das/{w.das.slug}/vragen/{_first_question(w)}",
    ),
    ("reviewer queue", lambda w: w.reviewer, lambda w: "/beoordeling/"),
    # Every provider's KvK extract of 2024 has lapsed: all `size` agreements are due.
    ("re-verification", lambda w: w.reviewer, lambda w: "/beoordeling/herbeoordeling"),
    (
        "review page",
        lambda w: w.reviewer,
        lambda w: f"/beoordeling/aanmeldingen/{w.in_review.id}",
    ),
    ("contract register", lambda w: w.manager, lambda w: "/contracten/"),
    ("agreement page", lambda w: w.manager, lambda w: f"/contracten/{w.agreement.id}"),
    ("lump sum", lambda w: w.manager, lambda w: f"/contracten/{w.agreement.id}/lumpsum"),
    (
        "provider lump sum",
        lambda w: w.provider,
        lambda w: f"/aanbieder/overeenkomsten/{w.agreement.id}/lumpsum",
    ),
    ("KPI dashboard", lambda w: w.manager, lambda w: f"/contracten/{w.agreement.id}/kpi"),
    ("DAS overview", lambda w: w.manager, lambda w: f"/contracten/das/{w.das.slug}/overzicht"),
    ("late reports", lambda w: w.manager, lambda w: f"/contracten/das/{w.das.slug}/te-laat"),
    # SROI reference turnover and obligations (issue 21), the manager's page and the provider's.
    (
        "SROI turnover",
        lambda w: w.manager,
        lambda w: f"/contracten/das/{w.das.slug}/sroi-omzet?jaar=2025",
    ),
    (
        "provider social return",
        lambda w: w.provider,
        lambda w: f"/aanbieder/overeenkomsten/{w.agreement.id}/sroi",
    ),
    (
        "talks of a year",
        lambda w: w.manager,
        lambda w: f"/contracten/das/{w.das.slug}/gesprekken?jaar=2025&basis=2024",
    ),
    # What waits for them (issue 20): every list in a fixed number of queries.
    ("reviewer tasks", lambda w: w.reviewer, lambda w: "/beoordeling/taken"),
    ("contract manager tasks", lambda w: w.manager, lambda w: "/contracten/taken"),
    ("administrator tasks", lambda w: w.admin, lambda w: "/beoordeling/taken"),
    ("tariff administration", lambda w: w.admin, lambda w: f"/beheer/das/{w.das.slug}/tarieven"),
    ("DAS settings", lambda w: w.admin, lambda w: f"/beheer/das/{w.das.slug}/instellingen"),
    ("DAS list", lambda w: w.admin, lambda w: "/beheer/das-overzicht"),
    ("DAS authorities", lambda w: w.admin, lambda w: f"/beheer/das/{w.das.slug}/gemeenten"),
    # The waiting-time register (issue 23): the public search, with filters, and the contract
    # managers' history per provider and overview of who has not updated.
    ("waiting register", lambda w: None, lambda w: "/wachttijden"),
    (
        "waiting register filtered",
        lambda w: None,
        lambda w: "/wachttijden?product=45-45A01&aanname=1",
    ),
    (
        "waiting times history",
        lambda w: w.manager,
        lambda w: f"/contracten/{w.agreement.id}/wachttijden",
    ),
    (
        "waiting times overview",
        lambda w: w.manager,
        lambda w: f"/contracten/das/{w.das.slug}/wachttijden?alle=1",
    ),
]


def measure(client: FlaskClient, world: World) -> dict[str, int]:
    counts: dict[str, int] = {}
    signed_in: User | None = None
    for name, who, url in PAGES:
        user = who(world)
        if user is not None and user is not signed_in:
            login(client, user)
            signed_in = user
        elif user is None and signed_in is not None:
            client.post("/uitloggen")
            signed_in = None
        target = url(world)
        client.get(target)  # warm caches that live longer than a request (none should matter)
        with counting() as statements:
            response = client.get(target)
        assert response.status_code == 200, f"{name}: {target} gave {response.status_code}"
        counts[name] = len(statements)
        if os.environ.get("SHOW_QUERIES") in (name, "all"):
            print(f"\n--- {name}\n" + "\n".join(" ".join(s.split()) for s in statements))
    return counts


@pytest.fixture()
def sizes(app: Flask) -> Iterator[dict[int, dict[str, int]]]:
    from tests.support.app import wipe

    result: dict[int, dict[str, int]] = {}
    for size in (SMALL, LARGE):
        world = build(size)
        result[size] = measure(app.test_client(), world)
        db.session.remove()
        wipe(app)
    yield result


def test_queries_per_page_do_not_grow_with_the_data_and_stay_few(
    app: Flask, sizes: dict[int, dict[str, int]]
) -> None:
    small, large = sizes[SMALL], sizes[LARGE]
    report = "\n".join(f"{name:24} {small[name]:3} {large[name]:3}" for name in small)
    print("\npage                     small large\n" + report)
    grows = {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    too_many = {name: large[name] for name in large if large[name] > MAX_QUERIES}
    assert grows == {}, report
    assert too_many == {}, report


def test_the_social_return_table_is_paged(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar.ensure_statutory_holidays(range(2024, 2028))
    db.session.commit()
    das = factories.DasFactory(term_start=date(2024, 1, 1))
    names = [admit(das, factories.ProviderUserFactory(), date(2024, 1, 8)) for _ in range(3)]
    names = sorted(a.organisation.legal_name for a in names)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    login(client, manager)
    url = f"/contracten/das/{das.slug}/overzicht"
    pages = [
        client.get(url, query_string={"pagina": n}).get_data(as_text=True).split("Social return")[1]
        for n in (1, 2)
    ]
    shown = [sorted(name for name in names if name in page) for page in pages]
    assert [len(s) for s in shown] == [2, 1] and sorted(shown[0] + shown[1]) == names
    assert "Pagina 1 van 2" in pages[0] and 'rel="next"' in pages[0]
    export = client.get(f"/contracten/das/{das.slug}/overzicht/sroi.csv").get_data(as_text=True)
    assert all(name in export for name in names)  # the export stays whole


@pytest.mark.parametrize("section", ["uitsluitingsgronden", "geschiktheidseisen"])
def test_the_application_form_costs_the_same_with_or_without_answers(
    app: Flask, client: FlaskClient, section: str
) -> None:
    """The page benchmark's drafts are answered in part, some not at all; the form once cost a
    query more for a draft with answers (their documents were loaded in a query of their own,
    which only runs when there is an answer to load them for)."""
    das = factories.DasFactory()
    empty = applications.start_application(das, factories.ProviderUserFactory())
    answered = factories.complete_draft(das, factories.ProviderUserFactory(), date.today())
    db.session.commit()
    counts = []
    for draft in (empty, answered):
        login(client, draft.created_by)
        url = f"/aanbieder/aanmeldingen/{draft.id}/{section}"
        client.get(url)
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_world_has_due_agreements(app: Flask) -> None:
    """The reverification page is measured on a world where every agreement is due, so its
    count covers the rows it shows."""
    world = build(SMALL)
    rows = reverification.due_for_reverification(world.reviewer, local_date(now()))
    assert len(rows) == SMALL
