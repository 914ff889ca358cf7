"""Reporting KPI figures and social return through the API (issue 23): the form's checks in the
form's words, the form's audit event with the token's id, and every malformed request refused
with a problem document that says where."""

from __future__ import annotations

import html
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AuditEvent, KpiValue, SroiReport
from portal.services import kpis
from tests.api.conftest import ApiClient, ApiWorld
from tests.support.app import login


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _stored() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) or 0


def _definition(world: ApiWorld, code: str):
    return next(d for d in kpis.definitions_of(world.das.id) if d.code == code)


def test_figures_are_reported_with_the_forms_audit_event_and_the_token(
    client: FlaskClient, api: ApiClient, api_world: ApiWorld
) -> None:
    agreement = api_world.agreement
    # The form first, for the second quarter of 2024.
    login(client, api_world.provider)
    clients = _definition(api_world, "CLIENTS")
    form = client.post(
        f"/aanbieder/overeenkomsten/{agreement.id}/kpi",
        data={"jaar": "2024", f"kpi{clients.id}_2024-04-01": "40"},
    )
    assert form.status_code == 302
    # Then the API, for the third quarter and a breakdown by municipality (CBS code) and lot.
    response = api.post(
        f"/agreements/{agreement.id}/kpi-values",
        {
            "figures": [
                {"kpi": "CLIENTS", "period": "2024-K3", "value": 41},
                {"kpi": "SATISFACTION", "period": "2024-H1", "value": "7,9"},
                {
                    "kpi": "CLIENTS",
                    "period": "2024-K3",
                    "value": 12.5,
                    "lot": "1",
                    "municipality": "GM0957",
                },
            ]
        },
    )
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()
    assert stored["stored"] == 3
    assert stored["figures"][1] == {
        "kpi": "SATISFACTION",
        "period": "2024-H1",
        "period_start": "2024-01-01",
        "value": "7.90",
        "lot": None,
        "municipality": None,
    }
    assert stored["figures"][2]["municipality"] == "GM0957"
    rows = {
        (v.definition.code, v.period_start.isoformat(), v.lot_id, v.authority_id): v.value
        for v in db.session.scalars(db.select(KpiValue))
    }
    assert rows[("CLIENTS", "2024-07-01", None, None)] == Decimal("41.00")
    assert rows[("CLIENTS", "2024-07-01", api_world.lot.id, api_world.municipality.id)] == Decimal(
        "12.50"
    )
    by_form, by_api = _events("kpi.reported")
    assert by_api.actor_id == by_form.actor_id == api_world.provider.id
    assert by_api.details.pop("api_token_id") == api_world.token_id
    assert "api_token_id" not in by_form.details
    assert by_api.details == {**by_form.details, "figures": 3}
    assert (by_api.object_type, by_api.object_id) == (by_form.object_type, by_form.object_id)


def test_a_figure_the_form_refuses_is_refused_in_the_forms_words(
    client: FlaskClient, api: ApiClient, api_world: ApiWorld
) -> None:
    agreement = api_world.agreement
    login(client, api_world.provider)
    satisfaction = _definition(api_world, "SATISFACTION")
    page = client.post(
        f"/aanbieder/overeenkomsten/{agreement.id}/kpi",
        data={"jaar": "2024", f"kpi{satisfaction.id}_2024-01-01": "11"},
    ).get_data(as_text=True)
    forms_words = "Cliënttevredenheid: de waarde mag niet hoger zijn dan 10."
    assert forms_words in html.unescape(page)
    response = api.post(
        f"/agreements/{agreement.id}/kpi-values",
        {
            "figures": [
                {"kpi": "CLIENTS", "period": "2024-K1", "value": 3},
                {"kpi": "SATISFACTION", "period": "2024-H1", "value": 11},
                {"kpi": "CLIENTS", "period": "2099-K1", "value": 3},
                {"kpi": "ONBEKEND", "period": "2024-K1", "value": 3},
                {"kpi": "CLIENTS", "period": "2024-K2", "value": 3, "lot": "9"},
            ]
        },
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "api_invalid"
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [
        ("/figures/1/value", "figure_above_maximum"),
        ("/figures/2/period", "period_not_over"),
        ("/figures/3/kpi", "unknown_kpi"),
        ("/figures/4/lot", "lot_not_in_agreement"),
    ]
    assert problem["errors"][0]["detail"] == forms_words
    assert problem["errors"][2]["detail"] == "KPI 'ONBEKEND' bestaat niet."
    assert _stored() == 0  # all or nothing
    assert _events("kpi.reported") == []


def test_a_correction_needs_a_reason(api: ApiClient, api_world: ApiWorld) -> None:
    url = f"/agreements/{api_world.agreement.id}/kpi-values"
    figure = {"kpi": "CLIENTS", "period": "2024-K1", "value": 3}
    assert api.post(url, {"figures": [figure]}).status_code == 201
    response = api.post(url, {"figures": [{**figure, "value": 4}]})
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["pointer"] == "/reason"
    assert error["code"] == "correction_reason_required"
    response = api.post(url, {"figures": [{**figure, "value": 4}], "reason": "Telfout"})
    assert response.status_code == 201
    assert _stored() == 2


def test_wrong_types_and_unknown_fields_are_named_by_pointer(
    api: ApiClient, api_world: ApiWorld
) -> None:
    url = f"/agreements/{api_world.agreement.id}/kpi-values"
    response = api.post(
        url,
        {
            "figures": [
                {"kpi": 5, "period": "2024-K1", "value": True},
                {"period": "2024-K1", "value": [1], "perceel": "1"},
                "CLIENTS",
            ],
            "reason": 3,
        },
    )
    assert response.status_code == 422
    assert [(e["pointer"], e["code"]) for e in response.get_json()["errors"]] == [
        ("/reason", "api_expected_string"),
        ("/figures/0/kpi", "api_expected_string"),
        ("/figures/0/value", "api_expected_number"),
        ("/figures/1/perceel", "api_unknown_field"),
        ("/figures/1/kpi", "api_field_required"),
        ("/figures/1/value", "api_expected_number"),
        ("/figures/2", "api_expected_object"),
    ]
    for body, pointer, code in (
        ({"figures": {}}, "/figures", "api_expected_array"),
        ({"figures": []}, "/figures", "api_field_required"),
        ({}, "/figures", "api_field_required"),
        ([], "", "api_expected_object"),
        (
            {"figures": [{"kpi": "CLIENTS", "period": "2024-K1", "value": 1}] * 501},
            "/figures",
            "api_list_too_long",
        ),
    ):
        response = api.post(url, body)
        assert response.status_code == 422, body
        assert [(e["pointer"], e["code"]) for e in response.get_json()["errors"]] == [
            (pointer, code)
        ]
    assert _stored() == 0


def test_a_body_that_is_not_json_is_refused(
    app: Flask, api: ApiClient, api_world: ApiWorld
) -> None:
    url = f"/agreements/{api_world.agreement.id}/kpi-values"
    deep = "[" * 100_000 + "]" * 100_000  # within the size limit, beyond the parser's recursion
    for data in ('{"figures": [', "NaN", b"\xff\xfe", '{"figures": [{"value": Infinity}]}', deep):
        response = api.post(url, data=data)
        assert response.status_code == 400, data
        assert response.get_json()["code"] == "api_malformed_json"
    response = api.post(url, data="kpi=CLIENTS", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.get_json()["code"] == "api_not_json"
    too_large = '{"reason": "' + "x" * app.config["API_MAX_BODY_BYTES"] + '"}'
    response = api.post(url, data=too_large)
    assert response.status_code == 413
    assert response.get_json()["code"] == "api_body_too_large"
    assert _stored() == 0


def test_social_return_is_reported_as_the_form_reports_it(
    api: ApiClient, api_world: ApiWorld
) -> None:
    url = f"/agreements/{api_world.agreement.id}/sroi-reports"
    response = api.post(
        url, {"year": 2025, "activity": "Leerwerkplek", "amount_cents": 250_000, "pso_level": "2"}
    )
    assert response.status_code == 201
    report = response.get_json()
    assert (report["year"], report["amount_cents"], report["activity"]) == (
        2025,
        250_000,
        "Leerwerkplek",
    )
    row = db.session.get(SroiReport, report["id"])
    assert row is not None and row.reported_by_id == api_world.provider.id
    [event] = _events("sroi.reported")
    assert event.details["api_token_id"] == api_world.token_id
    assert event.details["amount_cents"] == 250_000


def test_social_return_the_form_refuses_is_refused(api: ApiClient, api_world: ApiWorld) -> None:
    url = f"/agreements/{api_world.agreement.id}/sroi-reports"
    cases = [
        (
            {"year": 2025, "activity": "Werk", "amount_cents": 0},
            "/amount_cents",
            "sroi_amount_positive",
            "Het bedrag moet groter zijn dan nul.",
        ),
        (
            {"year": 2025, "activity": "  ", "amount_cents": 5},
            "/activity",
            "sroi_activity_required",
            "Beschrijf de activiteit.",
        ),
        ({"year": 2023, "activity": "Werk", "amount_cents": 5}, "/year", "sroi_year_outside", None),
        (
            {"year": "2025", "activity": "Werk", "amount_cents": 5.5},
            "/year",
            "api_expected_integer",
            None,
        ),
        (
            {"year": 2025, "activity": "Werk", "amount_cents": 10**20},
            "/amount_cents",
            "amount_above_maximum",
            None,
        ),
    ]
    for body, pointer, code, detail in cases:
        response = api.post(url, body)
        assert response.status_code == 422, body
        error = response.get_json()["errors"][0]
        assert (error["pointer"], error["code"]) == (pointer, code)
        if detail:
            assert error["detail"] == detail
    assert db.session.scalar(db.select(db.func.count()).select_from(SroiReport)) == 0


def test_text_with_a_nul_character_is_refused(api: ApiClient, api_world: ApiWorld) -> None:
    """PostgreSQL cannot store NUL in text: refused with a pointer, as the forms refuse it."""
    response = api.post(
        f"/agreements/{api_world.agreement.id}/sroi-reports",
        {"year": 2025, "activity": "Werk\u0000plek", "amount_cents": 5, "pso\u0000": 1},
    )
    assert response.status_code == 422
    assert [(e["pointer"], e["code"]) for e in response.get_json()["errors"]] == [
        ("/activity", "api_nul_character"),
        ("/pso\u0000", "api_nul_character"),
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(SroiReport)) == 0
