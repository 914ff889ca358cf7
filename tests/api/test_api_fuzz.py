"""Any JSON at the API's POST endpoints (issue 23): whatever arrives, the answer is one the
description documents (held to it by the client), never a server error, and nothing is stored
from a body that is refused."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import KpiValue, SroiReport, WaitingTime
from tests.api.conftest import ApiClient, ApiWorld

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["1", "2", "45A01", "GM0957", "CLIENTS", "2024-K1", "Subregio Noord"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "figures",
    "reason",
    "kpi",
    "period",
    "value",
    "lot",
    "municipality",
    "year",
    "activity",
    "amount_cents",
    "pso_level",
    "entries",
    "product",
    "subregion",
    "weeks_to_intake",
    "weeks_to_treatment",
    "accepts_new_clients",
    "note",
]
# Objects with the fields the endpoints know, so the examples get past the first check.
shaped = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(FIELDS), children, max_size=6)
    ),
    max_leaves=15,
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model)) or 0
        for model in (KpiValue, SroiReport, WaitingTime)
    )


def test_any_json_gets_a_documented_answer(app: Flask, api: ApiClient, api_world: ApiWorld) -> None:
    base = f"/agreements/{api_world.agreement.id}"
    paths = [f"{base}/kpi-values", f"{base}/sroi-reports", f"{base}/waiting-times"]

    @FUZZ
    @given(path=st.sampled_from(paths), body=json_values | shaped)
    def post(path: str, body: Any) -> None:
        before = _counts()
        # The client holds every answer to the description.
        response = api.post(path, data=json.dumps(body))
        assert response.status_code in (201, 400, 409, 413, 422), response.get_json()
        if response.status_code != 201:
            assert _counts() == before

    post()


big = st.integers(min_value=-(10**20), max_value=10**20)
texts = st.text(max_size=30)
sroi_bodies = st.fixed_dictionaries(
    {"year": st.integers(2020, 2030) | big, "activity": texts, "amount_cents": big},
    optional={"pso_level": texts},
)
figures = st.fixed_dictionaries(
    {
        "kpi": st.sampled_from(["CLIENTS", "SATISFACTION", "TURNOVER", "clients"]) | texts,
        "period": st.sampled_from(["2024-K1", "2024-H1", "2024", "2099-K4"]) | texts,
        "value": big | st.floats(allow_nan=False, allow_infinity=False) | texts,
    },
    optional={"lot": st.sampled_from(["1", "2"]) | texts, "municipality": texts},
)
entries = st.fixed_dictionaries(
    {
        "lot": st.sampled_from(["1", "2"]) | texts,
        "weeks_to_intake": st.integers(-5, 110) | big,
        "weeks_to_treatment": st.integers(-5, 110) | big,
        "accepts_new_clients": st.booleans(),
    },
    optional={
        "product": st.sampled_from(["45A01", "45A02"]) | texts,
        "municipality": st.sampled_from(["GM0957", "GM0983"]) | texts,
        "note": st.text(max_size=600),
    },
)


def test_well_formed_bodies_with_any_values_get_a_documented_answer(
    app: Flask, api: ApiClient, api_world: ApiWorld
) -> None:
    """Bodies of the right shape, so the values reach the services and the database: any
    number, any text (NUL, 600 characters, 10**20), and still no server error."""
    base = f"/agreements/{api_world.agreement.id}"
    requests = st.one_of(
        st.tuples(st.just(f"{base}/sroi-reports"), sroi_bodies),
        st.tuples(
            st.just(f"{base}/kpi-values"),
            st.fixed_dictionaries(
                {"figures": st.lists(figures, min_size=1, max_size=3)},
                optional={"reason": texts},
            ),
        ),
        st.tuples(
            st.just(f"{base}/waiting-times"),
            st.fixed_dictionaries({"entries": st.lists(entries, min_size=1, max_size=3)}),
        ),
    )

    @FUZZ
    @given(request=requests)
    def post(request: tuple[str, Any]) -> None:
        path, body = request
        before = _counts()
        response = api.post(path, data=json.dumps(body))
        assert response.status_code in (201, 422), response.get_json()
        if response.status_code != 201:
            assert _counts() == before

    post()
