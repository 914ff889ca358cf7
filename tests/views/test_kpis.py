"""Contract management: KPI reporting, dashboards, talks and SROI."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from portal.domain import contract_management as rules
from portal.domain import working_days
from portal.extensions import db
from portal.models import KpiDefinition, KpiValue, ReminderReason, Role
from portal.services import ServiceError, agreements, calendar, kpis
from tests import factories
from tests.factories import admit, at
from tests.support.app import login


def definition(das, code: str) -> KpiDefinition:
    return next(d for d in kpis.definitions_of(das.id) if d.code == code)


def test_report_through_the_year_form(app: Flask, client: FlaskClient, reporting) -> None:
    das, provider, agreement, manager = reporting
    login(client, provider)
    url = f"/aanbieder/overeenkomsten/{agreement.id}/kpi"
    satisfaction, clients = definition(das, "SATISFACTION"), definition(das, "CLIENTS")
    # One form for the year (issue 21): a field per KPI and period; satisfaction is half-yearly.
    h1, q2 = f"kpi{satisfaction.id}_2024-01-01", f"kpi{clients.id}_2024-04-01"
    page = client.post(url, data={"jaar": "2024", h1: "11", q2: "40"}).get_data(as_text=True)
    assert "Cliënttevredenheid: de waarde mag niet hoger zijn dan 10." in html.unescape(page)
    assert 'value="40"' in page  # what was typed stays
    assert db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) == 0
    response = client.post(url, data={"jaar": "2024", h1: "7,9", q2: "40"})
    assert response.status_code == 302
    stored = {
        v.definition.code: (v.period_start, v.value)
        for v in db.session.scalars(db.select(KpiValue))
    }
    assert stored == {
        "SATISFACTION": (date(2024, 1, 1), Decimal("7.90")),
        "CLIENTS": (date(2024, 4, 1), Decimal("40.00")),
    }
    # Reporting the same quarter again is a correction: it needs a reason, keeps the old value.
    response = client.post(url, data={"jaar": "2024", q2: "42"})
    assert "Geef de reden van de correctie op" in response.get_data(as_text=True)
    client.post(url, data={"jaar": "2024", q2: "42", "reason": "Telfout"})
    values = db.session.scalars(
        db.select(KpiValue.value).where(KpiValue.definition_id == clients.id).order_by(KpiValue.id)
    ).all()
    assert values == [Decimal("40.00"), Decimal("42.00")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"kpi,periode,waarde\nCLIENTS,2024-K1,-3\n", "mag niet lager zijn dan 0"),
        (b"kpi,periode,waarde\nONBEKEND,2024-K1,3\n", "KPI 'ONBEKEND' bestaat niet."),
        (b"kpi,periode,waarde\nCLIENTS,2024-H1,3\n", "Periode '2024-H1' past niet"),
        (b"kpi,periode,waarde\nGOALS,2024-H1,120\n", "niet hoger zijn dan 100"),
        (b"kpi,periode,waarde\nCLIENTS,2099-K1,3\n", "is nog niet voorbij"),
        (b"kpi,periode,waarde\nCLIENTS,2024-K1,3\nCLIENTS,2024-K1,4\n", "staat ook op regel 2"),
        (b"kpi,periode,waarde\nCLIENTS,2024-K1,veel\n", "'veel' is geen getal."),
        (b"code,waarde\n", "De eerste regel moet de kolommen"),
    ],
)
def test_an_upload_with_any_wrong_row_imports_nothing(
    app: Flask,
    client: FlaskClient,
    reporting,
    content: bytes,
    message: str,
) -> None:
    das, provider, agreement, manager = reporting
    login(client, provider)
    rows = content + b"TURNOVER,2024-K1,1000\n"
    page = client.post(
        f"/aanbieder/overeenkomsten/{agreement.id}/kpi/bestand",
        data={"file": (io.BytesIO(rows), "cijfers.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert message in html.unescape(page)
    assert db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) == 0


def test_dashboard_chart_and_table_show_the_same_numbers(
    app: Flask,
    client: FlaskClient,
    reporting,
) -> None:
    das, provider, agreement, manager = reporting
    waiting = definition(das, "WAITING")
    figures = [
        kpis.Figure(waiting, date(2024, m, 1), Decimal(v)) for m, v in ((1, 20), (4, 35), (7, 50))
    ]
    kpis.report(provider, agreement, figures, "", date(2024, 11, 1), at(date(2024, 11, 1)))
    login(client, manager)
    page = client.get(f"/contracten/{agreement.id}/kpi").get_data(as_text=True)
    section = page.split(f'id="kpi-{waiting.id}"')[1].split("</section>")[0]
    chart_values = re.findall(r"<title>(2024-K\d): (\d+)</title>", section)
    assert chart_values == [("2024-K1", "20"), ("2024-K2", "35"), ("2024-K3", "50")]
    for label, value in chart_values:
        assert f"<td>{label}</td><td>{value}</td>" in section
    assert "over de grens" in section and "onder de norm" in section  # 50 >= 42, 35 > 28
    # A quarter with no clients reported is late 30 days after it ended.
    clients_section = page.split(f'id="kpi-{definition(das, "CLIENTS").id}"')[1]
    assert "Te laat gemeld" in clients_section.split("</section>")[0]


def test_manager_corrects_only_with_a_reason(app: Flask, client: FlaskClient, reporting) -> None:
    das, provider, agreement, manager = reporting
    clients = definition(das, "CLIENTS")
    login(client, manager)
    page = client.post(
        f"/contracten/{agreement.id}/kpi/correctie",
        data={"kpi": str(clients.id), "period": "2024-K1", "value": "12", "reason": ""},
    )
    assert "Geef de reden van de correctie op." in page.get_data(as_text=True)
    client.post(
        f"/contracten/{agreement.id}/kpi/correctie",
        data={"kpi": str(clients.id), "period": "2024-K1", "value": "12", "reason": "Nagebeld"},
    )
    value = db.session.scalar(db.select(KpiValue))
    assert value.reason == "Nagebeld" and value.reported_by_id == manager.id


def test_overview_ranks_concentrates_and_applies_sroi(
    app: Flask,
    client: FlaskClient,
    reporting,
) -> None:
    das, provider, agreement, manager = reporting
    turnover, clients = definition(das, "TURNOVER"), definition(das, "CLIENTS")
    big = factories.ProviderUserFactory(organisation__legal_name="Groot Jeugdzorg B.V.")
    big_agreement = admit(das, big, date(2024, 1, 8))
    # 2024 turnover: EUR 250,000.00 exactly (not above) and EUR 250,000.01 (above).
    kpis.report(
        provider,
        agreement,
        [
            kpis.Figure(turnover, date(2024, 1, 1), Decimal("250000.00")),
            kpis.Figure(clients, date(2024, 10, 1), Decimal(90)),
        ],
        "",
        date(2025, 2, 1),
        at(date(2025, 2, 1)),
    )
    kpis.report(
        big,
        big_agreement,
        [
            kpis.Figure(turnover, date(2024, 1, 1), Decimal("250000.01")),
            kpis.Figure(clients, date(2024, 10, 1), Decimal(30)),
        ],
        "",
        date(2025, 2, 1),
        at(date(2025, 2, 1)),
    )
    data = kpis.das_overview(das, 2025, date(2025, 2, 1), Decimal(1), Decimal(0))
    sroi = {a.id: (obligation, status.value) for a, obligation, _d, status in data.sroi}
    assert sroi[agreement.id] == (None, "not_applicable")
    assert sroi[big_agreement.id] == (12_500_00, "obliged")
    assert [a.id for a, _r in data.ranking] == [agreement.id, big_agreement.id]  # by clients
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2024").get_data(as_text=True)
    assert "Marktconcentratie" in page and "100%" in page
    csv_text = client.get(f"/contracten/das/{das.slug}/overzicht/sroi.csv?jaar=2025").get_data(
        as_text=True
    )
    assert "Groot Jeugdzorg B.V.,12500.00,0.00,verplicht" in csv_text  # in words, not `obliged`


def test_log_a_talk_with_an_action(app: Flask, client: FlaskClient, reporting) -> None:
    das, provider, agreement, manager = reporting
    login(client, manager)
    url = f"/contracten/{agreement.id}/gesprekken"
    page = client.post(
        url, data={"kind": "account", "held_on": "2025-03-01", "participants": ""}
    ).get_data(as_text=True)
    assert "Vul in wie er bij het gesprek waren." in page
    client.post(
        url,
        data={
            "kind": "account",
            "held_on": "2025-03-01",
            "participants": "Carla (gemeente), Piet (aanbieder)",
            "agreements_made": "Wachttijd terugdringen",
            "action": "Plan van aanpak wachtlijst",
            "action_owner": "Piet",
            "action_due": "2025-04-01",
        },
    )
    page = client.get(f"/contracten/{agreement.id}/kpi").get_data(as_text=True)
    assert "Wachttijd terugdringen" in page and "Plan van aanpak wachtlijst" in page


def test_provider_reports_sroi_and_kpi_reminders(
    app: Flask,
    client: FlaskClient,
    reporting,
    mailbox,
) -> None:
    das, provider, agreement, manager = reporting
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    agreements.sign(agreement, provider, factories.PASSWORD, "1.1.1.1", at(date(2024, 1, 9)))
    agreements.countersign(agreement, admin, factories.PASSWORD, "1.1.1.2", at(date(2024, 1, 9)))
    login(client, provider)
    url = f"/aanbieder/overeenkomsten/{agreement.id}/sroi"
    page = client.post(url, data={"year": "2024", "activity": "Leerwerkplek", "amount": "-5"})
    assert "Schrijf een bedrag" in page.get_data(as_text=True)
    client.post(url, data={"year": "2024", "activity": "Leerwerkplek", "amount": "2.500,00"})
    assert kpis.sroi_reports_of(agreement)[0].amount_cents == 2_500_00
    # Q1 2024 is due 30 days after 1 April: warned 7 days before, then reminded when late.
    assert kpis.kpi_reminders(date(2024, 4, 24), 30) == 1
    assert "uiterlijk 01-05-2024" in mailbox.body(mailbox.last_to(provider.email))
    assert kpis.kpi_reminders(date(2024, 4, 25), 30) == 0
    assert kpis.kpi_reminders(date(2024, 5, 1), 30) == 0  # "uiterlijk 01-05": still on time
    assert kpis.kpi_reminders(date(2024, 5, 2), 30) == 1
    assert kpis.kpi_reminders(date(2024, 5, 2), 30) == 0  # run twice: mailed once


def test_breakdown_per_lot_and_municipality(app: Flask, client: FlaskClient, reporting) -> None:
    das, provider, agreement, manager = reporting
    municipality = factories.AuthorityFactory(name="Weert", cbs_code="GM0988")
    das.authorities = [municipality]
    db.session.commit()
    login(client, provider)
    rows = (
        b"kpi,periode,waarde,perceel,gemeente\n"
        b"TURNOVER,2024-K1,1000,,\n"
        b"TURNOVER,2024-K1,600,1,GM0988\n"
        b"TURNOVER,2024-K1,400,2,weert\n"
    )
    url = f"/aanbieder/overeenkomsten/{agreement.id}/kpi/bestand"
    page = client.post(
        url,
        data={"file": (io.BytesIO(rows.replace(b",2,weert", b",9,weert")), "c.csv")},
        content_type="multipart/form-data",
    )
    assert "Perceel '9' hoort niet bij uw overeenkomst." in html.unescape(
        page.get_data(as_text=True)
    )
    assert (
        client.post(
            url, data={"file": (io.BytesIO(rows), "c.csv")}, content_type="multipart/form-data"
        ).status_code
        == 302
    )
    data = kpis.das_overview(das, 2024, date(2024, 6, 1), Decimal(1), Decimal(1))
    assert data.total_turnover_cents == 1000_00  # the total, not total + breakdown
    assert data.turnover_cents_per_lot == {das.lots[0].id: 600_00, das.lots[1].id: 400_00}
    assert data.turnover_cents_per_authority == {municipality.id: 1000_00}
    login(client, manager)
    export = client.get(f"/contracten/{agreement.id}/kpi/cijfers.csv").get_data(as_text=True)
    assert export.count("TURNOVER,2024-K1") == 3


def test_administrator_sets_sroi_and_selection_settings(
    app: Flask,
    client: FlaskClient,
    reporting,
) -> None:
    das, provider, agreement, manager = reporting
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    url = f"/contracten/das/{das.slug}/instellingen"
    page = client.post(url, data={"talks_top_n": "0"}).get_data(as_text=True)
    assert "Een aantal tussen 1 en 500." in page
    rule = (das.sroi_threshold_cents, das.sroi_percent)
    # The SROI rule is not this form's (issue 19: a term, revised only on the terms page): a
    # post that names it changes the selection size and nothing else.
    client.post(url, data={"sroi_threshold": "300.000,00", "sroi_percent": "4", "talks_top_n": "5"})
    db.session.refresh(das)
    assert (das.sroi_threshold_cents, das.sroi_percent, das.talks_top_n) == (*rule, 5)


def test_talk_with_several_actions_and_sroi_evidence(
    app: Flask,
    client: FlaskClient,
    reporting,
) -> None:
    das, provider, agreement, manager = reporting
    login(client, manager)
    client.post(
        f"/contracten/{agreement.id}/gesprekken",
        data={
            "kind": "development",
            "held_on": "2025-03-01",
            "participants": "Iedereen",
            "action": "Eerste",
            "action_owner": "A",
            "action_due": "2025-04-01",
            "action_3": "Derde",
            "action_owner_3": "C",
            "action_due_3": "2025-06-01",
        },
    )
    talk = kpis.talks_of(agreement)[0]
    assert [(a.description, a.owner) for a in talk.actions] == [("Eerste", "A"), ("Derde", "C")]
    document = factories.upload_pdf(provider, factories.EvidenceType.OTHER, date(2025, 1, 1))
    login(client, provider)
    client.post(
        f"/aanbieder/overeenkomsten/{agreement.id}/sroi",
        data={
            "year": str(date.today().year),
            "activity": "Stageplek",
            "amount": "1.000,00",
            "document": str(document.id),
        },
    )
    assert kpis.sroi_reports_of(agreement)[0].document_id == document.id


# --- the contract manager's quarter (issue 18) ---------------------------------------------


def _live(agreement, provider) -> None:
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    agreements.sign(agreement, provider, factories.PASSWORD, "1.1.1.1", at(date(2024, 1, 9)))
    agreements.countersign(agreement, admin, factories.PASSWORD, "1.1.1.2", at(date(2024, 1, 9)))


def test_late_reports_of_a_das_with_reminders_and_one_mail_per_double_click(
    app: Flask, client: FlaskClient, reporting, mailbox
) -> None:
    das, provider, agreement, manager = reporting
    _live(agreement, provider)
    clients, turnover = definition(das, "CLIENTS"), definition(das, "TURNOVER")
    quarters = [date(2024, m, 1) for m in (1, 4, 7, 10)]
    figures = [kpis.Figure(clients, date(2024, 1, 1), Decimal(40))] + [
        kpis.Figure(turnover, q, Decimal(100_000)) for q in quarters
    ]
    kpis.report(provider, agreement, figures, "", date(2025, 2, 1), at(date(2025, 2, 1)))
    assert kpis.kpi_reminders(date(2024, 8, 1), 30) == 1  # Q2 late from 1 August: recorded

    today = date(2026, 3, 2)
    rows = kpis.late_reports(das, today, 30)
    keys = [(r.definition.code if r.definition else "SROI", r.period_label) for r in rows]
    assert ("CLIENTS", "2024-K2") in keys and ("CLIENTS", "2024-K1") not in keys  # reported
    assert ("TURNOVER", "2024-K1") not in keys and ("TURNOVER", "2025-K1") in keys
    # 2024's turnover (EUR 400,000) is above the threshold: social return is owed for 2025,
    # due 31 January 2026 and not reported. 2024 itself was not owed (nothing reported for 2023).
    assert ("SROI", "2025") in keys and ("SROI", "2024") not in keys
    assert [r.working_days_late for r in rows] == sorted(
        (r.working_days_late for r in rows), reverse=True
    )
    q2 = next(r for r in rows if r.definition == clients and r.period_start == date(2024, 4, 1))
    assert q2.due_on == date(2024, 7, 31) and q2.reminders[0][0] == date(2024, 8, 1)
    sroi = next(r for r in rows if r.definition is None)
    holidays = calendar.holidays_between(date(2026, 1, 1), today)
    assert sroi.working_days_late == working_days.working_days_between(
        date(2026, 1, 31), today, holidays
    )
    assert [r.report.value for r in kpis.late_reports(das, today, 30, rules.ReportKind.SROI)] == [
        "sroi"
    ]

    # A reminder by hand, twice (a double click): one mail, one row, and the second is refused.
    before = len(mailbox.messages)
    kpis.remind_now(
        manager, agreement, rules.ReportKind.SROI, None, date(2025, 1, 1), today, at(today), 30
    )
    with pytest.raises(ServiceError) as refused:
        kpis.remind_now(
            manager, agreement, rules.ReportKind.SROI, None, date(2025, 1, 1), today, at(today), 30
        )
    assert refused.value.code == "reminder_already_sent"
    assert len(mailbox.messages) == before + 1
    with pytest.raises(ServiceError) as not_late:  # reported: nothing to remind of
        kpis.remind_now(
            manager,
            agreement,
            rules.ReportKind.KPI,
            clients,
            date(2024, 1, 1),
            today,
            at(today),
            30,
        )
    assert not_late.value.code == "report_not_late"
    sroi = next(r for r in kpis.late_reports(das, today, 30) if r.definition is None)
    assert sroi.reminders == [(today, ReminderReason.MANUAL)]


def test_the_late_reports_page_filters_pages_and_reminds(
    app: Flask, client: FlaskClient, reporting, mailbox
) -> None:
    das, provider, agreement, manager = reporting
    _live(agreement, provider)
    login(client, manager)
    url = f"/contracten/das/{das.slug}/te-laat"
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert agreement.organisation.legal_name in page and f"/contracten/{agreement.id}/kpi" in page
    assert "Lopend" in page and "Werkdagen te laat" in page and "nog geen" in page
    assert "Er zijn geen te late rapportages." in client.get(f"{url}?soort=sroi").get_data(
        as_text=True
    )
    # Paging keeps the filter.
    app.config["PER_PAGE"], per_page = 2, app.config["PER_PAGE"]
    try:
        page = client.get(f"{url}?soort=kpi").get_data(as_text=True)
        assert "soort=kpi&amp;pagina=2" in page or "pagina=2&amp;soort=kpi" in page
    finally:
        app.config["PER_PAGE"] = per_page
    clients = definition(das, "CLIENTS")
    before = len(mailbox.to(provider.email))
    data = {"report": "kpi", "definition": str(clients.id), "period": "2024-01-01"}
    first = client.post(f"/contracten/{agreement.id}/herinneren?soort=kpi", data=data)
    assert first.status_code == 302 and "soort=kpi" in first.headers["Location"]
    second = client.post(f"/contracten/{agreement.id}/herinneren?soort=kpi", data=data)
    assert "vandaag al een herinnering" in html.unescape(
        client.get(second.headers["Location"]).get_data(as_text=True)
    )
    assert len(mailbox.to(provider.email)) == before + 1


def test_select_plan_report_and_follow_up_a_talk(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, provider, agreement, manager = reporting
    _live(agreement, provider)
    login(client, manager)
    base = f"/contracten/{agreement.id}"
    refused = client.post(f"{base}/selectie", data={"reason": ""})
    assert "Geef de reden van de selectie op." in refused.get_data(as_text=True)
    client.post(f"{base}/selectie", data={"reason": "Grootste omzet"})
    today = date.today()
    assert kpis.selection_of(agreement, today.year).reason == "Grootste omzet"
    overview = client.get(f"/contracten/das/{das.slug}/overzicht").get_data(as_text=True)
    assert "Grootste omzet" in overview and "niet gepland" in overview

    # A date in the future plans the talk; a report with it is refused.
    future = (today + timedelta(days=14)).isoformat()
    talk_data = {"kind": "account", "held_on": future, "participants": "Beleid, CM"}
    page = client.post(f"{base}/gesprekken", data={**talk_data, "agreements_made": "X"})
    assert "wordt gepland" in html.unescape(page.get_data(as_text=True))
    client.post(f"{base}/gesprekken", data=talk_data)
    talk = kpis.talks_of(agreement)[0]
    assert talk.status.value == "planned" and not talk.actions
    assert "Gepland" in client.get(f"{base}/kpi").get_data(as_text=True)

    # The report: held (not in the future), with an action already overdue.
    report = {
        "held_on": today.isoformat(),
        "agreements_made": "Wachtlijst halveren",
        "action": "Plan van aanpak",
        "action_owner": "Piet",
        "action_due": (today - timedelta(days=1)).isoformat(),
    }
    client.post(f"{base}/gesprekken/{talk.id}/verslag", data={**report, "held_on": future})
    db.session.expire_all()
    assert kpis.talks_of(agreement)[0].status.value == "planned"
    client.post(f"{base}/gesprekken/{talk.id}/verslag", data=report)
    db.session.expire_all()
    talk = kpis.talks_of(agreement)[0]
    assert talk.status.value == "held" and talk.held_on == today
    text = client.get(f"{base}/kpi").get_data(as_text=True)
    assert "Over de datum" in text and "Gevoerd" in text
    action = talk.actions[0]
    client.post(f"{base}/acties/{action.id}/afgerond", data={"done_on": today.isoformat()})
    db.session.expire_all()
    assert kpis.talks_of(agreement)[0].actions[0].done_on == today
    assert "Over de datum" not in client.get(f"{base}/kpi").get_data(as_text=True)

    # The register export: Dutch state, the KPI and talk columns.
    rows = list(
        csv.reader(io.StringIO(client.get("/contracten/export.csv").get_data(as_text=True)))
    )
    header, row = rows[0], rows[1]
    record_ = dict(zip(header, row, strict=True))
    assert record_["status"] == "Lopend"
    assert record_["geselecteerd_voor_gesprekken"] == "ja"
    assert record_["laatste_gesprek"] == today.isoformat()
    assert record_["open_acties"] == "0"
    assert int(record_["te_late_rapportages"]) > 0
    workbook = load_workbook(io.BytesIO(client.get("/contracten/export.xlsx").data))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:M{sheet.max_row}"
    assert sheet["H2"].value == "Lopend"
    talks_csv = client.get(f"{base}/kpi/gesprekken.csv").get_data(as_text=True)
    assert "Account-/contractgesprek" in talks_csv and "Gevoerd" in talks_csv
    assert ",account," not in talks_csv and ",held," not in talks_csv
