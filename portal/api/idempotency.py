"""The `Idempotency-Key` header on the API's POSTs (portal/services/api_idempotency.py keeps the
keys): the same key with the same request gets the first answer again, marked
`Idempotent-Replayed: true`, and nothing is reported twice."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, current_app, json, request

from portal.auth.access import ApiRefusal, api_token
from portal.infra.timeutil import now
from portal.services import api_idempotency

P = ParamSpec("P")
HEADER = "Idempotency-Key"


def idempotent(view: Callable[P, Response]) -> Callable[P, Response]:
    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not api_idempotency.is_valid_key(key):
            raise ApiRefusal(400, "idempotency_key_invalid")
        token = api_token()
        replay = api_idempotency.claim(
            token.id,
            key,
            request.method,
            request.path,
            api_idempotency.body_digest(request.get_data(cache=True)),
            now(),
        )
        if replay is not None:
            response = current_app.response_class(
                json.dumps(replay.response), status=replay.status_code, mimetype="application/json"
            )
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = view(*args, **kwargs)
        if 200 <= response.status_code < 300:
            # The work is committed with the claim; now the answer that goes with it.
            api_idempotency.answer(token.id, key, response.status_code, response.get_json())
        return response

    return wrapped
