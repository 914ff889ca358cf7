"""The JSON API for providers' own software (issue 23): report KPI figures, social return and the
waiting-time register without retyping them, with the same validation and the same audit events as
the forms. Described by an OpenAPI 3.1 document (portal/data/openapi/api-v1.json, served at
/api/v1/openapi.json).

A request is authenticated by its `Authorization: Bearer <secret>` header only (an API token,
portal/services/api_tokens.py), never by the session cookie; so the blueprint is exempt from the
forms' CSRF tokens. Every refusal is a problem document (RFC 9457, `application/problem+json`)
in Dutch, or in English with `Accept-Language: en` (portal/api/problems.py).
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from portal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def refuse_large_bodies(length: int | None) -> None:
    """An API request carries figures, not files: a far smaller limit than the upload forms'
    (MAX_CONTENT_LENGTH, which still bounds a body sent without a length)."""
    if length is not None and length > int(current_app.config["API_MAX_BODY_BYTES"]):
        raise RequestEntityTooLarge()


@bp.before_request
def _smaller_bodies() -> None:
    refuse_large_bodies(request.content_length)
