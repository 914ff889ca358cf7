"""Who the API lets in (issue 23): a live token of the agreement's organisation with the scope,
sent as a Bearer token; never the session cookie. Every answer is held to the description."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from portal.extensions import db
from portal.models import OrganisationRole
from portal.pages.messages import message_for
from portal.services import ServiceError, api_tokens
from tests import factories
from tests.api.conftest import ApiClient, ApiWorld
from tests.support.app import login


def test_the_description_is_public_and_the_file_the_tests_hold_answers_to(
    api: ApiClient,
) -> None:
    from tests.api.conftest import DESCRIPTION

    response = api.get("/openapi.json", secret=None)
    assert response.status_code == 200
    assert response.get_json() == DESCRIPTION


def test_without_a_token_nothing(api: ApiClient) -> None:
    response = api.get("/agreements", secret=None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    problem = response.get_json()
    assert problem["code"] == "api_token_missing"
    assert problem["status"] == 401
    assert "Authorization: Bearer" in problem["detail"]
    assert response.headers["Content-Language"] == "nl"


def test_a_signed_in_browser_is_no_token(
    app: Flask, client: FlaskClient, api: ApiClient, api_world: ApiWorld
) -> None:
    """The session cookie of the provider's administrator does not authenticate: another site
    cannot make a signed-in visitor's browser report in their name (and there is no CSRF token)."""
    login(client, api_world.provider)
    url = f"/agreements/{api_world.agreement.id}/sroi-reports"
    body = {"year": 2024, "activity": "Leerwerkplek", "amount_cents": 100}
    response = api.post(url, body, secret=None)
    assert response.status_code == 401
    assert api.get("/agreements", secret=None).status_code == 401


def test_an_unknown_or_malformed_token_is_refused(api: ApiClient) -> None:
    for header in ("Bearer dasp_niet-bestaand", "Basic dXNlcjpwdw==", "Bearer", "dasp_x"):
        response = api.get("/agreements", secret=None, headers={"Authorization": header})
        assert response.status_code == 401, header
    response = api.get("/agreements", secret="dasp_niet-bestaand")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["code"] == "api_token_invalid"


def test_a_revoked_token_stops_working(api: ApiClient, api_world: ApiWorld) -> None:
    assert api.get("/agreements").status_code == 200
    api_tokens.revoke(api_world.provider, api_world.token_id, datetime.now(UTC))
    response = api.get("/agreements")
    assert response.status_code == 401
    assert response.get_json()["code"] == "api_token_invalid"


def test_a_token_stops_working_when_its_creator_is_no_longer_administrator(
    api: ApiClient, api_world: ApiWorld
) -> None:
    api_world.provider.organisation_role = OrganisationRole.CONTRIBUTOR
    db.session.commit()
    assert api.get("/agreements").status_code == 401


def test_a_token_without_the_scope_is_forbidden(client: FlaskClient, api_world: ApiWorld) -> None:
    _token, secret = factories.add_api_token(
        api_world.provider.organisation, api_world.provider, ["kpi"], name="Alleen KPI"
    )
    only_kpi = ApiClient(client, secret)
    agreement = api_world.agreement.id
    response = only_kpi.post(
        f"/agreements/{agreement}/waiting-times/confirm", None, content_type=None
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "api_scope_missing"
    assert 'scope="waiting_times"' in response.headers["WWW-Authenticate"]
    assert only_kpi.get(f"/agreements/{agreement}/waiting-times").status_code == 403
    sroi = {"year": 2024, "activity": "Leerwerkplek", "amount_cents": 100}
    assert only_kpi.post(f"/agreements/{agreement}/sroi-reports", sroi).status_code == 403
    # Every token lists the organisation's agreements.
    assert only_kpi.get("/agreements").status_code == 200


def test_another_organisations_agreement_is_not_found(
    client: FlaskClient, api: ApiClient, api_world: ApiWorld
) -> None:
    other = factories.ProviderUserFactory()
    other_agreement = factories.admit(api_world.das, other, api_world.agreement.start_date)
    body = {"year": 2024, "activity": "Leerwerkplek", "amount_cents": 100}
    for url in (
        f"/agreements/{other_agreement.id}/sroi-reports",
        f"/agreements/{other_agreement.id}/waiting-times/confirm",
        "/agreements/999999/sroi-reports",
    ):
        response = api.post(url, body)
        assert response.status_code == 404, url
        assert response.get_json()["code"] == "not_found"
    assert api.get(f"/agreements/{other_agreement.id}/waiting-times").status_code == 404
    # Nor does it show in the list.
    listed = [a["id"] for a in api.get("/agreements").get_json()["agreements"]]
    assert listed == [api_world.agreement.id]
    # The other organisation's own token sees its agreement, not ours.
    _token, secret = factories.add_api_token(other.organisation, other, ["sroi"])
    theirs = ApiClient(client, secret)
    assert [a["id"] for a in theirs.get("/agreements").get_json()["agreements"]] == [
        other_agreement.id
    ]
    assert (
        theirs.post(f"/agreements/{api_world.agreement.id}/sroi-reports", body).status_code == 404
    )


def test_the_agreements_list_names_the_codes_a_report_uses(
    api: ApiClient, api_world: ApiWorld
) -> None:
    [agreement] = api.get("/agreements").get_json()["agreements"]
    assert agreement["id"] == api_world.agreement.id
    assert agreement["state"] == "live"
    assert [lot["code"] for lot in agreement["lots"]] == ["1", "2"]
    assert agreement["lots"][0]["products"][0]["code"] == "45A01"
    authorities = {a["name"]: a for a in agreement["authorities"]}
    assert authorities["Roermond"]["cbs_code"] == "GM0957"
    assert authorities["Venlo"]["subregion"] == "Subregio Noord"
    assert authorities["Subregio Noord"]["kind"] == "subregion"
    codes = {kpi["code"] for kpi in agreement["kpis"]}
    assert {"CLIENTS", "SATISFACTION"} <= codes


def test_a_wrong_method_or_url_gets_a_problem_document(api: ApiClient) -> None:
    response = api.open("DELETE", "/agreements")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["code"] == "api_method_not_allowed"
    response = api.get("/bestaat-niet")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    # Elsewhere the portal keeps its own pages.
    page = api.client.get("/bestaat-niet")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_errors_in_english_when_asked(app: Flask, api: ApiClient, api_world: ApiWorld) -> None:
    english = {"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}
    response = api.post("/agreements/999999/sroi-reports", {}, headers=english)
    assert response.status_code == 404
    assert response.headers["Content-Language"] == "en"
    problem = response.get_json()
    assert problem["detail"] == "This does not exist (any more)."
    assert problem["title"] == _english("Niet gevonden")
    # The same words as the English form would show, for every message.
    response = api.post(
        f"/agreements/{api_world.agreement.id}/sroi-reports",
        {"year": 2024, "activity": "Leerwerkplek", "amount_cents": 0},
        headers=english,
    )
    [error] = response.get_json()["errors"]
    with force_locale("en"):
        assert error["detail"] == message_for(ServiceError("sroi_amount_positive"))
    # Dutch unless asked otherwise, whatever the language the session chose.
    api.client.post("/taal/en")
    response = api.post("/agreements/999999/sroi-reports", {})
    assert response.get_json()["detail"] == "Dit bestaat niet (meer)."


def _english(text: str) -> str:
    from flask_babel import gettext

    with force_locale("en"):
        return gettext(text)


def test_the_agreements_list_costs_the_same_however_many_agreements(
    api: ApiClient, api_world: ApiWorld
) -> None:
    from sqlalchemy import event

    def queries() -> int:
        statements: list[str] = []

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert api.get("/agreements").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    api.get("/agreements")  # the token's last use is written at most once a minute
    one = queries()
    for _ in range(2):
        das = factories.DasFactory(term_start=api_world.das.term_start)
        factories.admit(das, api_world.provider, api_world.agreement.start_date)
    assert len(api.get("/agreements").get_json()["agreements"]) == 3
    assert queries() == one
