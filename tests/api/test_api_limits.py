"""The API's rate limit (issue 23): API_RATE_LIMIT requests per token; the next is refused
with 429 and Retry-After, and another token is not held back by it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.api.conftest import ApiClient, ApiWorld


def test_a_token_over_its_limit_waits(
    app: Flask,
    client: FlaskClient,
    api: ApiClient,
    api_world: ApiWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    assert [api.get("/agreements").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/agreements")
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "api_rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Retry-After"] in refused.get_json()["detail"]
    # A POST too, before anything is read or written.
    url = f"/agreements/{api_world.agreement.id}/sroi-reports"
    assert api.post(url, {"year": 2025, "activity": "Werk", "amount_cents": 5}).status_code == 429
    # Another token of the same organisation has its own count.
    _token, secret = factories.add_api_token(
        api_world.provider.organisation, api_world.provider, ["kpi"], name="Ander pakket"
    )
    assert ApiClient(client, secret).get("/agreements").status_code == 200
    # English too.
    english = api.get("/agreements", headers={"Accept-Language": "en"})
    assert english.status_code == 429 and english.headers["Content-Language"] == "en"


def test_requests_without_a_valid_token_are_limited_per_address(
    app: Flask, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "API_FAILED_AUTH_LIMIT", "2 per minute")
    address = "192.0.2.7"
    statuses = [
        api.get("/agreements", secret=secret, remote_addr=address).status_code
        for secret in (None, "dasp_geraden", None)
    ]
    assert statuses == [401, 401, 429]
    # A valid token from the same address is still let in: it counts for its token.
    assert api.get("/agreements", remote_addr=address).status_code == 200
    # Another address is not held back.
    assert api.get("/agreements", secret=None, remote_addr="192.0.2.8").status_code == 401
