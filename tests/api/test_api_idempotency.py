"""Idempotency keys (issue 23): software that did not hear the answer sends the same request
again with the same `Idempotency-Key` and gets the first answer, and nothing is reported twice;
the key cannot be reused for another request, nor while its first request still runs."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.api import views
from portal.extensions import db
from portal.models import ApiIdempotencyKey, AuditEvent, KpiValue, SroiReport
from portal.services import api_idempotency
from tests.api.conftest import ApiClient, ApiWorld


def _count(model: Any) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0


def _sroi(api_world: ApiWorld) -> str:
    return f"/agreements/{api_world.agreement.id}/sroi-reports"


BODY = {"year": 2025, "activity": "Leerwerkplek", "amount_cents": 12_500}


def test_a_replayed_request_gets_the_first_answer_and_reports_once(
    api: ApiClient, api_world: ApiWorld
) -> None:
    key = {"Idempotency-Key": "rapport-2025-001"}
    first = api.post(_sroi(api_world), BODY, headers=key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = api.post(_sroi(api_world), BODY, headers=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert _count(SroiReport) == 1
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "sroi.reported")
    ).all()
    assert len(events) == 1
    # Without a key, or with another one, it is a new report.
    assert api.post(_sroi(api_world), BODY).status_code == 201
    assert api.post(_sroi(api_world), BODY, headers={"Idempotency-Key": "x2"}).status_code == 201
    assert _count(SroiReport) == 3


def test_the_same_key_for_another_request_is_refused(api: ApiClient, api_world: ApiWorld) -> None:
    key = {"Idempotency-Key": "eenmalig"}
    assert api.post(_sroi(api_world), BODY, headers=key).status_code == 201
    other_body = api.post(_sroi(api_world), {**BODY, "amount_cents": 99}, headers=key)
    assert other_body.status_code == 422
    assert other_body.get_json()["code"] == "idempotency_key_reused"
    other_path = api.post(
        f"/agreements/{api_world.agreement.id}/kpi-values",
        {"figures": [{"kpi": "CLIENTS", "period": "2024-K1", "value": 1}]},
        headers=key,
    )
    assert other_path.status_code == 422
    assert other_path.get_json()["code"] == "idempotency_key_reused"
    assert _count(SroiReport) == 1 and _count(KpiValue) == 0
    # Keys are the token's own: another token's same key is another key.
    from tests import factories

    _token, secret = factories.add_api_token(
        api_world.provider.organisation, api_world.provider, ["sroi"], name="Tweede pakket"
    )
    theirs = ApiClient(api.client, secret)
    assert (
        theirs.post(_sroi(api_world), {**BODY, "amount_cents": 99}, headers=key).status_code == 201
    )


def test_a_refused_request_leaves_its_key_free(api: ApiClient, api_world: ApiWorld) -> None:
    key = {"Idempotency-Key": "na-verbetering"}
    refused = api.post(_sroi(api_world), {**BODY, "amount_cents": 0}, headers=key)
    assert refused.status_code == 422
    assert _count(ApiIdempotencyKey) == 0
    assert api.post(_sroi(api_world), BODY, headers=key).status_code == 201
    stored = db.session.scalars(db.select(ApiIdempotencyKey)).one()
    assert (stored.status_code, stored.method, stored.path) == (
        201,
        "POST",
        "/api/v1" + _sroi(api_world),
    )


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "ünïcode"])
def test_a_malformed_key_is_refused(api: ApiClient, api_world: ApiWorld, key: str) -> None:
    response = api.post(_sroi(api_world), BODY, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.get_json()["code"] == "idempotency_key_invalid"
    assert _count(SroiReport) == 0


def test_a_key_whose_request_has_not_finished_is_in_use(
    api: ApiClient, api_world: ApiWorld
) -> None:
    path = "/api/v1" + _sroi(api_world)
    import json

    db.session.add(
        ApiIdempotencyKey(
            token_id=api_world.token_id,
            key="bezig",
            method="POST",
            path=path,
            request_sha256=api_idempotency.body_digest(json.dumps(BODY).encode()),
            status_code=api_idempotency.PENDING,
            response={},
            created_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    response = api.post(_sroi(api_world), BODY, headers={"Idempotency-Key": "bezig"})
    assert response.status_code == 409
    assert response.get_json()["code"] == "idempotency_key_in_use"
    assert _count(SroiReport) == 0


def test_two_requests_with_one_key_at_once_report_once(
    app: Flask, client: FlaskClient, api_world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request arrives while the first is still reporting: it waits for the first's
    claim on the key and is then refused as concurrent (409), not reported twice."""
    inside, release = threading.Event(), threading.Event()
    real_report = views.kpis.report_sroi

    def slow_report(*args: Any, **kwargs: Any) -> Any:
        if not inside.is_set():
            inside.set()
            release.wait(10)
        return real_report(*args, **kwargs)

    monkeypatch.setattr(views.kpis, "report_sroi", slow_report)
    statuses: dict[str, int] = {}

    def send(name: str) -> None:
        with app.app_context():
            response = app.test_client().post(
                "/api/v1" + _sroi(api_world),
                json=BODY,
                headers={
                    "Authorization": f"Bearer {api_world.secret}",
                    "Idempotency-Key": "tegelijk",
                },
            )
            statuses[name] = response.status_code
            db.session.remove()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    time.sleep(0.5)  # the second now waits for the first's claim
    release.set()
    first.join(20)
    second.join(20)
    assert statuses == {"first": 201, "second": 409}
    assert _count(SroiReport) == 1


def test_keys_are_forgotten_after_a_day(api: ApiClient, api_world: ApiWorld) -> None:
    key = {"Idempotency-Key": "gisteren"}
    assert api.post(_sroi(api_world), BODY, headers=key).status_code == 201
    later = datetime.now(UTC) + timedelta(hours=25)
    assert api_idempotency.purge(later - timedelta(hours=2)) == 0
    assert api_idempotency.purge(later) == 1
    assert _count(ApiIdempotencyKey) == 0
    # Forgotten: the same key is a new request again.
    assert api.post(_sroi(api_world), BODY, headers=key).status_code == 201
    assert _count(SroiReport) == 2


def test_the_daily_purge_job_forgets_old_keys(
    app: Flask, api: ApiClient, api_world: ApiWorld
) -> None:
    from portal.jobs import schedule

    assert api.post(_sroi(api_world), BODY, headers={"Idempotency-Key": "oud"}).status_code == 201
    schedule.outbox_purge(datetime.now(UTC) + timedelta(days=2))
    assert _count(ApiIdempotencyKey) == 0
