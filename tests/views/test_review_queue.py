"""The reviewers' queue (issue 18): search, sorting, the lots column, the filters "mine",
"waiting for my confirmation" and "clarification answered", and assigning several at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Application, AuditEvent, LotOutcome, ReviewMark, Role, User
from portal.services import calendar, review
from tests import factories
from tests.support.app import IsolatedClient, login

QUEUE = "/beoordeling/"
ASSIGN = "/beoordeling/toewijzen"
NOW = datetime(2026, 12, 21, 12, tzinfo=UTC)


def provider_named(name: str, kvk: str) -> User:
    return factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(legal_name=name, kvk_number=kvk)
    )


@pytest.fixture()
def queue_world(app: Flask, client: FlaskClient):
    """A four-eyes DAS with three applications received on three days (so three deadlines),
    their providers' names in another order, and two reviewers; Bram is signed in."""
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory(four_eyes=True)
    first, second = das.lots
    zon = factories.submitted_application(
        das, provider_named("Zonnebloem Jeugdzorg", "31234567"), date(2026, 12, 14)
    )
    appel = factories.submitted_application(
        das, provider_named("Appelboom Zorg", "41234567"), date(2026, 12, 16), lots=[second]
    )
    procent = factories.submitted_application(
        das, provider_named("100%_Zorg B.V.", "51234567"), date(2026, 12, 18), lots=[first]
    )
    bram = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    wendy = factories.UserFactory(role=Role.REVIEWER, name="Wendy Tweede")
    factories.assign(bram, das)
    factories.assign(wendy, das)
    login(client, bram)
    return das, (zon, appel, procent), bram, wendy


def page_of(client: FlaskClient, query: str = "") -> str:
    response = client.get(QUEUE + ("?" + query if query else ""))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(page: str, applications_: tuple[Application, ...]) -> list[str]:
    """The references of these applications in the order the page lists them."""
    body = page.split("<tbody>", 1)[1] if "<tbody>" in page else ""
    found = [(body.find(a.reference or ""), a.reference) for a in applications_]
    return [reference for position, reference in sorted(found) if position >= 0]


def row_of(page: str, application: Application) -> str:
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    return next(r for r in rows if f">{application.reference}</a>" in r)


def audit_count(action: str, application: Application) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == application.id)
        )
        or 0
    )


# --- search ------------------------------------------------------------------------------------


def test_search_finds_name_reference_and_kvk_case_insensitively(client, queue_world) -> None:
    _, apps, _, _ = queue_world
    zon, appel, procent = apps
    assert listed(page_of(client, "q=zonnebloem"), apps) == [zon.reference]
    assert listed(page_of(client, "q=APPELBOOM"), apps) == [appel.reference]
    assert listed(page_of(client, "q=4123456"), apps) == [appel.reference]  # part of a KvK
    assert listed(page_of(client, f"q={procent.reference.lower()}"), apps) == [procent.reference]
    assert listed(page_of(client, "q=zorg"), apps) == [
        zon.reference,
        appel.reference,
        procent.reference,
    ]
    assert listed(page_of(client, "q=niemand"), apps) == []
    assert "Geen aanmeldingen gevonden die hierbij passen." in page_of(client, "q=niemand")


def test_search_takes_percent_and_underscore_literally(client, queue_world) -> None:
    _, apps, _, _ = queue_world
    procent = apps[2]
    # As LIKE wildcards "%" and "_" would match every name; typed, they are just characters.
    assert listed(page_of(client, "q=%25"), apps) == [procent.reference]
    assert listed(page_of(client, "q=_"), apps) == [procent.reference]
    assert listed(page_of(client, "q=0%25_z"), apps) == [procent.reference]
    assert listed(page_of(client, "q=n_e"), apps) == []  # "Zonnebloem" would match n?e


# --- sorting and the lots column ----------------------------------------------------------------


def test_sorting_by_deadline_received_and_provider(client, queue_world) -> None:
    _, apps, _, _ = queue_world
    zon, appel, procent = apps
    page = page_of(client)
    assert listed(page, apps) == [zon.reference, appel.reference, procent.reference]
    assert re.search(
        r'<th scope="col" aria-sort="ascending">\s*<a href="[^"]*">Besluit uiterlijk', page
    )
    assert page.count("aria-sort=") == 1

    page = page_of(client, "sort=received&order=desc")
    assert listed(page, apps) == [procent.reference, appel.reference, zon.reference]
    assert re.search(r'aria-sort="descending">\s*<a href="[^"]*">Ontvangen', page)

    page = page_of(client, "sort=provider")
    assert listed(page, apps) == [procent.reference, appel.reference, zon.reference]
    # The sorted header's link turns the order round; the filters stay on it.
    page = page_of(client, "sort=provider&q=zorg")
    header = re.search(r'aria-sort="ascending">\s*<a href="([^"]*)">Aanbieder', page)
    assert header and "order=desc" in header.group(1) and "q=zorg" in header.group(1)
    page = page_of(client, "sort=provider&order=desc")
    assert listed(page, apps) == [zon.reference, appel.reference, procent.reference]
    page = page_of(client, "sort=banaan&order=sideways")  # nonsense: the default order
    assert listed(page, apps) == [zon.reference, appel.reference, procent.reference]


def test_lots_column_lists_each_applications_lot_codes(client, queue_world) -> None:
    _, (zon, appel, procent), _, _ = queue_world
    page = page_of(client)
    assert "<td>1, 2</td>" in row_of(page, zon)
    assert "<td>2</td>" in row_of(page, appel)
    assert "<td>1</td>" in row_of(page, procent)


# --- filters, counts and paging -------------------------------------------------------------------


def test_filter_mine_and_the_count(client, queue_world) -> None:
    _, apps, bram, _ = queue_world
    zon = apps[0]
    review.assign(zon, bram, bram)
    page = page_of(client, "mine=y")
    assert listed(page, apps) == [zon.reference]
    assert "1 van 3 aanmeldingen" in page
    assert "3 aanmeldingen wachten op een besluit" in page_of(client)
    # Filters combine with the search.
    assert listed(page_of(client, "mine=y&q=appelboom"), apps) == []


def test_filter_waiting_for_my_confirmation(app: Flask, client, queue_world) -> None:
    das, apps, bram, wendy = queue_world
    zon, appel, procent = apps
    factories.prepare_for_decision(appel, wendy, NOW)
    review.propose_decision(
        appel,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in appel.lots},
        wendy,
        NOW,
        appel.version_id,
    )
    page = page_of(client, "to_confirm=y")
    assert listed(page, apps) == [appel.reference]
    assert "Wacht op uw bevestiging" in row_of(page, appel)
    # Not for the one who proposed it.
    other = app.test_client()
    login(other, wendy)
    assert listed(page_of(other, "to_confirm=y"), apps) == []
    # Not for someone who declared a conflict of interest on it.
    review.declare_conflict(appel, bram, True, "Mijn zus werkt daar", NOW)
    assert listed(page_of(client, "to_confirm=y"), apps) == []
    # Without four eyes a proposal is the decision: nothing waits.
    assert das.four_eyes


def test_filter_clarification_answered_until_assessed_again(client, queue_world) -> None:
    _, apps, bram, _ = queue_world
    procent = apps[2]
    provider = procent.organisation.users[0]
    review.declare_conflict(procent, bram, False, "", NOW - timedelta(hours=3))
    clarification = review.ask_clarification(
        procent,
        bram,
        "Stuur een nieuw uittreksel.",
        ["G4"],
        date(2027, 1, 15),
        NOW - timedelta(hours=2),
    )
    assert listed(page_of(client, "answered=y"), apps) == []  # asked, not answered
    review.answer_clarification(
        procent, clarification, provider, "Bijgevoegd.", [], NOW - timedelta(hours=1)
    )
    page = page_of(client, "answered=y")
    assert listed(page, apps) == [procent.reference]
    assert "Herstelverzoek beantwoord" in row_of(page, procent)
    # The reviewer looks again and assesses: no longer waiting for them.
    g4 = next(c for c in procent.das.criteria if c.code == "G4")
    review.assess(
        procent, bram, {g4.id: review.MarkInput(ReviewMark.PASS, "Nieuw uittreksel")}, NOW
    )
    assert listed(page_of(client, "answered=y"), apps) == []


def test_paging_keeps_the_search_and_filters(app: Flask, client, queue_world) -> None:
    _, apps, _, _ = queue_world
    app.config["PER_PAGE"] = 1
    try:
        page = page_of(client, "q=zorg&sort=received&order=desc")
        second = page_of(client, "q=zorg&sort=received&order=desc&pagina=2")
    finally:
        app.config["PER_PAGE"] = 25
    assert "3 van 3 aanmeldingen" in page
    following = re.search(r'<a href="([^"]*)" rel="next">', page)
    assert following is not None
    link = following.group(1).replace("&amp;", "&")
    assert (
        "q=zorg" in link and "sort=received" in link and "order=desc" in link and "pagina=2" in link
    )
    assert listed(page, apps) == [apps[2].reference]
    assert listed(second, apps) == [apps[1].reference]


# --- assigning several at once -------------------------------------------------------------------


def test_assign_several_at_once_and_a_second_post_changes_nothing(client, queue_world) -> None:
    _, (zon, appel, procent), _, wendy = queue_world
    data = {
        "applications": [str(zon.id), str(appel.id)],
        "assignee": str(wendy.id),
        "back": "q=zorg",
    }
    response = client.post(ASSIGN, data=data)
    assert response.status_code == 302
    assert response.location == "/beoordeling/?q=zorg"
    page = client.get(response.location).get_data(as_text=True)
    assert (
        f"Toegewezen aan Wendy Tweede (2 aanmeldingen): {zon.reference}, {appel.reference}." in page
    )
    db.session.expire_all()
    assert zon.assigned_reviewer_id == appel.assigned_reviewer_id == wendy.id
    assert procent.assigned_reviewer_id is None
    assert (
        audit_count("application.assigned", zon) == audit_count("application.assigned", appel) == 1
    )

    # A double click: the same post again assigns nothing new, records nothing, and says so.
    page = client.post(ASSIGN, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Al toegewezen aan Wendy Tweede, niets gewijzigd" in page
    assert "Toegewezen aan" not in page.replace("Al toegewezen aan", "")
    assert (
        audit_count("application.assigned", zon) == audit_count("application.assigned", appel) == 1
    )


def test_assigning_refuses_and_names_the_rows_that_cannot_go(
    app: Flask, client, queue_world
) -> None:
    das, (zon, appel, procent), bram, wendy = queue_world
    # Wendy declared a conflict of interest with one provider; another DAS has its own reviewer.
    review.declare_conflict(appel, wendy, True, "Oud-collega", NOW)
    other_das = factories.DasFactory(four_eyes=False)
    factories.assign(bram, other_das)
    elsewhere = factories.submitted_application(
        other_das, provider_named("Elders B.V.", "61234567"), date(2026, 12, 16)
    )
    decided = factories.submitted_application(
        other_das, provider_named("Besloten B.V.", "71234567"), date(2026, 12, 15)
    )
    data = {
        "applications": [str(zon.id), str(appel.id), str(elsewhere.id), str(decided.id)],
        "assignee": str(wendy.id),
    }
    # Decided after the page was shown, before the post.
    factories.decide(
        decided,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in decided.lots},
        bram,
        NOW,
    )
    page = client.post(ASSIGN, data=data, follow_redirects=True).get_data(as_text=True)
    assert f"Toegewezen aan Wendy Tweede: {zon.reference}." in page
    assert (
        f"Niet toegewezen: {appel.reference} (Appelboom Zorg). Er is een belangenconflict gemeld"
        in page
    )
    assert (
        f"Niet toegewezen: {elsewhere.reference} (Elders B.V.). Deze persoon beoordeelt niet voor "
        "dit aankoopsysteem." in page
    )
    assert (
        f"Niet toegewezen: {decided.reference} (Besloten B.V.). Over deze aanmelding is al besloten."
        in page
    )
    db.session.expire_all()
    assert zon.assigned_reviewer_id == wendy.id
    assert appel.assigned_reviewer_id is None and elsewhere.assigned_reviewer_id is None
    assert audit_count("application.assigned", appel) == 0


def test_a_conflicted_row_cannot_be_chosen_nor_posted(client, queue_world) -> None:
    _, (zon, appel, _), bram, wendy = queue_world
    review.declare_conflict(appel, bram, True, "Mijn zus werkt daar", NOW)
    page = page_of(client)
    row = row_of(page, appel)
    assert "Belangenconflict gemeld" in row and 'type="checkbox"' not in row
    assert f'id="kies-{zon.id}"' in row_of(page, zon)
    page = client.post(
        ASSIGN,
        data={"applications": [str(appel.id)], "assignee": str(wendy.id)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        f"Niet toegewezen: {appel.reference}" in page
        and "U heeft een belangenconflict gemeld" in page
    )
    db.session.expire_all()
    assert appel.assigned_reviewer_id is None


def test_assigning_needs_a_choice_and_a_known_reviewer(client, queue_world) -> None:
    _, (zon, _, _), _, wendy = queue_world
    page = client.post(ASSIGN, data={"assignee": str(wendy.id)}, follow_redirects=True)
    assert "Kies een of meer aanmeldingen in de lijst." in page.get_data(as_text=True)
    page = client.post(
        ASSIGN, data={"applications": [str(zon.id)], "assignee": "0"}, follow_redirects=True
    )
    assert "Kies aan wie u de aanmeldingen toewijst." in page.get_data(as_text=True)
    provider = zon.organisation.users[0]  # not a reviewer: not a choice
    page = client.post(
        ASSIGN,
        data={"applications": [str(zon.id)], "assignee": str(provider.id)},
        follow_redirects=True,
    )
    assert "Toegewezen" not in page.get_data(as_text=True)
    db.session.expire_all()
    assert zon.assigned_reviewer_id is None


def test_another_das_reviewer_cannot_assign_what_they_do_not_see(app: Flask, queue_world) -> None:
    _, (zon, _, _), _, _ = queue_world
    outsider = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(outsider, factories.DasFactory())
    client = app.test_client()
    login(client, outsider)
    page = client.post(
        ASSIGN,
        data={"applications": [str(zon.id)], "assignee": str(outsider.id)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "1 gekozen aanmelding bestaat niet (meer) of is niet voor u." in page
    assert zon.reference not in page
    db.session.expire_all()
    assert zon.assigned_reviewer_id is None


def test_assigning_checks_the_form_token(app: Flask, queue_world, monkeypatch) -> None:
    """A forged cross-site post (no token) is refused and assigns nothing; the page's own form,
    with its token, goes through."""
    _, (zon, _, _), bram, wendy = queue_world
    client = IsolatedClient(app)
    login(client, bram)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    forged = client.post(ASSIGN, data={"applications": [str(zon.id)], "assignee": str(wendy.id)})
    assert forged.status_code == 400
    db.session.expire_all()
    assert zon.assigned_reviewer_id is None
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_of(client))
    assert token is not None
    response = client.post(
        ASSIGN,
        data={
            "applications": [str(zon.id)],
            "assignee": str(wendy.id),
            "csrf_token": token.group(1),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert zon.assigned_reviewer_id == wendy.id


# --- queries ----------------------------------------------------------------------------------------


def test_queue_with_every_filter_stays_under_the_query_cap(client, queue_world) -> None:
    """The lots column and the row flags come with the rows: no query per row."""
    from tests.test_query_counts import MAX_QUERIES, counting

    das, apps, bram, _ = queue_world
    for n in range(6):
        factories.submitted_application(
            das, provider_named(f"Extra {n} Zorg", f"8123456{n}"), date(2026, 12, 17)
        )
    query = "q=zorg&sort=provider&order=desc&mine=&to_confirm=&answered="
    page_of(client, query)
    with counting() as few:
        page_of(client, "q=zorg&sort=provider")
    for n in range(6):
        factories.submitted_application(
            das, provider_named(f"Meer {n} Zorg", f"9123456{n}"), date(2026, 12, 17)
        )
    with counting() as more:
        page_of(client, "q=zorg&sort=provider")
    assert len(more) == len(few) <= MAX_QUERIES
    with counting() as filtered:
        page_of(client, "q=zorg&mine=y&to_confirm=y&answered=y")
    assert len(filtered) <= MAX_QUERIES
