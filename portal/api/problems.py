"""Every refusal of the API as a problem document (RFC 9457 "Problem Details for HTTP APIs"):

    {"type": ..., "title": ..., "status": 422, "detail": ..., "code": "api_invalid",
     "errors": [{"pointer": "/figures/0/value", "code": "figure_above_maximum", "detail": ...}]}

`code` is stable for software to act on; `title` and `detail` are for people, in Dutch, or in
English when the request asks for it (`Accept-Language: en`). The sentences are the forms' own
(portal/pages/messages.py), so a figure the form refuses is refused by the API in the same words.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, json, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from portal.api import bp
from portal.auth.access import ApiRefusal
from portal.extensions import db
from portal.pages.messages import message_for
from portal.services import Problem, ServiceError

PROBLEM_TYPE = "tag:das-portaal,2026:api/problem/"
LANGUAGES = ("nl", "en")

TITLES = {
    400: _l("Ongeldig verzoek"),
    401: _l("Niet aangemeld"),
    403: _l("Geen toegang"),
    404: _l("Niet gevonden"),
    405: _l("Methode niet toegestaan"),
    409: _l("Conflict"),
    413: _l("Verzoek te groot"),
    415: _l("Geen JSON"),
    422: _l("Gegevens niet verwerkt"),
    429: _l("Te veel verzoeken"),
    500: _l("Fout op de server"),
}
# The code an HTTP error gets when nothing more specific is known.
HTTP_CODES = {
    400: "api_bad_request",
    404: "not_found",
    405: "api_method_not_allowed",
    413: "api_body_too_large",
    415: "api_not_json",
    429: "api_rate_limited",
    500: "api_server_error",
}
# A service's refusal that is not about the input.
SERVICE_STATUS = {"not_found": 404, "idempotency_key_in_use": 409}


@dataclass(frozen=True)
class FieldError:
    """What is wrong at one place of the request body (a JSON Pointer, RFC 6901)."""

    pointer: str
    problem: Problem


@dataclass
class Invalid(Exception):
    """The body does not say what the endpoint needs: 422 with an error per place."""

    errors: Sequence[FieldError]
    code: str = "api_invalid"
    params: dict[str, object] = field(default_factory=dict)


def language() -> str:
    """Dutch unless the request prefers English (Accept-Language); never the session's choice."""
    return request.accept_languages.best_match(LANGUAGES, default="nl") or "nl"


@contextmanager
def in_language() -> Iterator[str]:
    chosen = language()
    with force_locale(chosen):
        yield chosen


def problem(
    status: int,
    code: str,
    *,
    params: dict[str, object] | None = None,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    with in_language() as chosen:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE + code,
            "title": str(TITLES.get(status, TITLES[400 if status < 500 else 500])),
            "status": status,
            "detail": message_for(ServiceError(code, **(params or {}))),
            "code": code,
            "errors": [
                {
                    "pointer": error.pointer,
                    "code": error.problem.code,
                    "detail": message_for(error.problem),
                }
                for error in errors
            ],
        }
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype="application/problem+json"
    )
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http(error: HTTPException) -> Response:
    status = error.code or 500
    code = HTTP_CODES.get(status, "api_bad_request" if status < 500 else "api_server_error")
    params: dict[str, object] = {}
    headers: dict[str, str] = {}
    if isinstance(error, MethodNotAllowed):
        allowed = sorted(set(error.valid_methods or ()) - {"HEAD", "OPTIONS"})
        params = {"method": request.method, "allowed": ", ".join(allowed)}
        headers["Allow"] = ", ".join(error.valid_methods or ())
    elif status == 413:
        params = {"limit_kb": int(current_app.config["API_MAX_BODY_BYTES"]) // 1024}
    elif status == 429:
        params = {"seconds": 60}
    return problem(status, code, params=params, headers=headers)


@bp.errorhandler(ApiRefusal)
def _refused(error: ApiRefusal) -> Response:
    return problem(error.status, error.code, params=error.params, headers=error.headers)


@bp.errorhandler(Invalid)
def _invalid(error: Invalid) -> Response:
    db.session.rollback()  # an idempotency key claimed for this request is not kept
    return problem(422, error.code, params=error.params, errors=error.errors)


@bp.errorhandler(ServiceError)
def _service_refused(error: ServiceError) -> Response:
    db.session.rollback()
    status = SERVICE_STATUS.get(error.code, 422)
    problems = error.params.get("problems")
    if isinstance(problems, list) and all(isinstance(p, Problem) for p in problems):
        # Refused for what is in the body: each problem under errors, as for Invalid.
        return problem(422, "api_invalid", errors=[FieldError("", p) for p in problems])
    return problem(status, error.code, params=error.params)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    db.session.rollback()
    return from_http(error)


# Flask prefers the app's handler for a status (the HTML error pages) to a blueprint's handler
# for all HTTP errors: the statuses the portal has pages for are taken here one by one.
for _status in (400, 403, 404, 405, 413, 429):
    bp.register_error_handler(_status, _http_error)


@bp.errorhandler(500)
def _server_error(error: HTTPException) -> Response:
    db.session.rollback()
    return problem(500, "api_server_error")


def is_api_request() -> bool:
    prefix = bp.url_prefix or ""
    return request.path == prefix or request.path.startswith(prefix + "/")


def init_app(app: Flask) -> None:
    """Routing refusals (no such URL under /api/v1, a method the URL does not take) happen before
    a blueprint is known: answer them with a problem document here, and leave every other page's
    error page as it is."""
    for status in (404, 405):
        pages = app.error_handler_spec[None].get(status, {})
        previous = next(iter(pages.values()), None)

        def answer(error: HTTPException, previous: Any = previous) -> Any:
            if is_api_request():
                return from_http(error)
            return previous(error) if previous is not None else error

        app.register_error_handler(status, answer)
