"""The waiting-time register through the API (issue 23): the provider's software reads, updates
and confirms it with the rules and the audit events of the provider's page."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AgreementState, AuditEvent, WaitingTime
from tests import factories
from tests.api.conftest import ApiClient, ApiWorld


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def _rows() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(WaitingTime)) or 0


def test_the_register_is_updated_read_and_confirmed(api: ApiClient, api_world: ApiWorld) -> None:
    url = f"/agreements/{api_world.agreement.id}/waiting-times"
    assert api.get(url).get_json() == {"entries": []}
    response = api.post(
        url,
        {
            "entries": [
                {
                    "lot": "1",
                    "weeks_to_intake": 3,
                    "weeks_to_treatment": 6,
                    "accepts_new_clients": True,
                },
                {
                    "lot": "1",
                    "product": "45A01",
                    "municipality": "GM0957",
                    "weeks_to_intake": 8,
                    "weeks_to_treatment": 12,
                    "accepts_new_clients": False,
                    "note": "Wachtlijst tot de zomer",
                },
                {
                    "lot": "2",
                    "subregion": "Subregio Noord",
                    "weeks_to_intake": 0,
                    "weeks_to_treatment": 1,
                    "accepts_new_clients": True,
                },
            ]
        },
    )
    assert response.status_code == 201, response.get_json()
    entries = response.get_json()["entries"]
    assert api.get(url).get_json()["entries"] == entries
    shown = {(e["lot"], e["product"], e["municipality"], e["subregion"]): e for e in entries}
    assert set(shown) == {
        ("1", None, None, None),
        ("1", "45A01", "GM0957", None),
        ("2", None, None, "Subregio Noord"),
    }
    closed = shown[("1", "45A01", "GM0957", None)]
    assert (closed["weeks_to_intake"], closed["accepts_new_clients"], closed["outdated"]) == (
        8,
        False,
        False,
    )
    rows = list(db.session.scalars(db.select(WaitingTime)))
    assert {row.api_token_id for row in rows} == {api_world.token_id}
    assert {row.reported_by_id for row in rows} == {api_world.provider.id}
    [event] = _events("waiting_times.updated")
    assert event.details["api_token_id"] == api_world.token_id
    assert event.details["entries"] == 3
    assert event.actor_id == api_world.provider.id

    confirmed = api.post(f"{url}/confirm", None, content_type=None)
    assert confirmed.status_code == 200
    assert confirmed.get_json() == {"confirmed": 3}
    assert all(e["confirmed_unchanged"] for e in api.get(url).get_json()["entries"])
    [event] = _events("waiting_times.confirmed")
    assert event.details["api_token_id"] == api_world.token_id
    assert api.post(f"{url}/confirm", {}).status_code == 200
    response = api.post(f"{url}/confirm", {"alles": True})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/alles"


def test_entries_the_form_refuses_are_refused_by_pointer(
    api: ApiClient, api_world: ApiWorld
) -> None:
    url = f"/agreements/{api_world.agreement.id}/waiting-times"
    good = {"lot": "1", "weeks_to_intake": 3, "weeks_to_treatment": 6, "accepts_new_clients": True}
    response = api.post(
        url,
        {
            "entries": [
                good,
                {**good, "weeks_to_treatment": 2},
                {**good, "weeks_to_intake": 105, "weeks_to_treatment": 106},
                {**good, "municipality": "GM9999"},
                {**good, "lot": "7"},
                {**good, "product": "99Z99"},
                {**good, "municipality": "GM0957", "subregion": "Subregio Noord"},
                {**good, "subregion": "Zuid"},
                {**good, "accepts_new_clients": "ja"},
            ]
        },
    )
    assert response.status_code == 422
    errors = [(e["pointer"], e["code"]) for e in response.get_json()["errors"]]
    assert errors == [
        ("/entries/3/municipality", "authority_not_in_das"),
        ("/entries/4/lot", "lot_not_in_agreement"),
        ("/entries/5/product", "api_unknown_product"),
        ("/entries/6/subregion", "api_municipality_and_subregion"),
        ("/entries/7/subregion", "api_unknown_subregion"),
        ("/entries/8/accepts_new_clients", "api_expected_boolean"),
    ]
    # With the codes right, the register's own rules speak, in the form's words.
    response = api.post(
        url,
        {
            "entries": [
                good,
                {**good, "lot": "2", "weeks_to_treatment": 2},
                {**good, "lot": "2", "municipality": "GM0957", "weeks_to_intake": 105},
                good,
            ]
        },
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [
        ("/entries/1/weeks_to_treatment", "treatment_before_intake"),
        ("/entries/2/weeks_to_intake", "waiting_weeks_out_of_range"),
        ("/entries/3/lot", "waiting_entry_repeated"),
    ]
    assert problem["errors"][0]["detail"] == (
        "De wachttijd tot de behandeling kan niet korter zijn dan die tot de intake."
    )
    assert problem["errors"][1]["detail"] == "Vul een aantal weken in van 0 tot en met 104."
    assert _rows() == 0
    assert _events("waiting_times.updated") == []


def test_only_a_live_agreement_keeps_a_register(client: FlaskClient, api_world: ApiWorld) -> None:
    other = factories.ProviderUserFactory()
    waiting = factories.admit(api_world.das, other, date(2024, 1, 8))
    assert waiting.state is AgreementState.AWAITING_SIGNATURE
    _token, secret = factories.add_api_token(other.organisation, other, ["waiting_times"])
    response = ApiClient(client, secret).post(
        f"/agreements/{waiting.id}/waiting-times",
        {
            "entries": [
                {
                    "lot": "1",
                    "weeks_to_intake": 1,
                    "weeks_to_treatment": 2,
                    "accepts_new_clients": True,
                }
            ]
        },
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "waiting_times_agreement_not_live"
    assert _rows() == 0


def test_nothing_to_confirm_says_so(api: ApiClient, api_world: ApiWorld) -> None:
    response = api.post(
        f"/agreements/{api_world.agreement.id}/waiting-times/confirm", None, content_type=None
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "waiting_times_nothing_to_confirm"
