"""The API's tests (issue 23): a client that sends JSON with a token and holds EVERY response it
gets, success or refusal, to the OpenAPI description the portal serves
(portal/data/openapi/api-v1.json), with openapi-core. A response outside any documented
operation (a method or URL the API does not have) is held to the description's Problem schema.

The world: a DAS with the national KPI set, a municipality, a subregion with a municipality in
it, and a provider admitted to its lot on 8 January 2024 whose agreement is live; its
administrator's token with every scope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

from portal.api.views import SPEC
from portal.extensions import db
from portal.models import (
    AuthorityKind,
    Das,
    FrameworkAgreement,
    Role,
    User,
)
from portal.services import calendar, kpis
from tests import factories

DESCRIPTION: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
# openapi-core reads application/json; a problem document is JSON too.
OPENAPI = OpenAPI.from_dict(
    DESCRIPTION,
    config=Config(extra_media_type_deserializers={"application/problem+json": json.loads}),
)
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem", "components": DESCRIPTION["components"]}
ALL_SCOPES = ("kpi", "sroi", "waiting_times")


def held_to_the_description(response: TestResponse, sent: Request) -> None:
    """Fails the test when the response is not what the description says (and, for a request
    that succeeded, when the request was not what it says either)."""
    request = WerkzeugOpenAPIRequest(sent)
    try:
        OPENAPI.validate_response(request, WerkzeugOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        assert response.status_code in (404, 405), response.status_code
        assert response.mimetype == "application/problem+json"
        jsonschema.validate(response.get_json(), PROBLEM_SCHEMA)
        return
    if 200 <= response.status_code < 300:
        OPENAPI.validate_request(request)


class ApiClient:
    """Requests to /api/v1 with a Bearer token (None: without one), each checked against the
    description."""

    def __init__(self, client: FlaskClient, secret: str | None) -> None:
        self.client = client
        self.secret = secret

    def open(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        secret: str | None | bool = True,
        headers: dict[str, str] | None = None,
        data: bytes | str | None = None,
        content_type: str | None = "application/json",
        remote_addr: str = "127.0.0.1",
    ) -> TestResponse:
        sent = dict(headers or {})
        token = self.secret if secret is True else secret
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body)
        request: dict[str, Any] = {
            "path": "/api/v1" + path,
            "method": method,
            "headers": sent,
            "data": data,
            "content_type": content_type if data is not None else None,
            "environ_base": {"REMOTE_ADDR": remote_addr},
        }
        response = self.client.open(**request)
        # The same request again for openapi-core (the client's one has been read).
        held_to_the_description(response, Request(EnvironBuilder(**request).get_environ()))
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.open("POST", path, body, **kwargs)


@dataclass
class ApiWorld:
    das: Das
    provider: User
    agreement: FrameworkAgreement
    secret: str
    token_id: int
    municipality: Any
    subregion: Any
    in_subregion: Any

    @property
    def lot(self) -> Any:
        return self.agreement.lots[0].lot


@pytest.fixture()
def api_world(app: Flask) -> ApiWorld:
    calendar.ensure_statutory_holidays(range(2024, 2028))
    db.session.commit()
    subregion = factories.AuthorityFactory(
        name="Subregio Noord", kind=AuthorityKind.SUBREGION, cbs_code=None
    )
    municipality = factories.AuthorityFactory(name="Roermond", cbs_code="GM0957")
    in_subregion = factories.AuthorityFactory(name="Venlo", cbs_code="GM0983", parent=subregion)
    das = factories.DasFactory(term_start=date(2024, 1, 1))
    das.authorities.extend([municipality, in_subregion])
    db.session.commit()
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, date(2024, 1, 8), live=True)
    token, secret = factories.add_api_token(provider.organisation, provider, ALL_SCOPES)
    return ApiWorld(
        das, provider, agreement, secret, token.id, municipality, subregion, in_subregion
    )


@pytest.fixture()
def api(client: FlaskClient, api_world: ApiWorld) -> ApiClient:
    return ApiClient(client, api_world.secret)
