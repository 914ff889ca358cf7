"""The API's OpenAPI description (issue 23) is a valid OpenAPI 3.1 document, and it describes
exactly the routes the portal serves under /api/v1: no route undocumented, no documented
operation missing. (Every response the API tests get is held to it: tests/api/conftest.py.)"""

from __future__ import annotations

import re

from flask import Flask
from openapi_spec_validator import validate

from tests.api.conftest import DESCRIPTION


def test_the_description_is_valid_openapi_3_1() -> None:
    assert DESCRIPTION["openapi"].startswith("3.1")
    validate(DESCRIPTION)


def test_the_description_names_every_route_and_nothing_else(app: Flask) -> None:
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    described = {
        (path, method.upper())
        for path, item in DESCRIPTION["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert served == described


def test_every_refusal_is_a_documented_problem() -> None:
    """Each operation documents the refusals the API gives it: no token, the rate limit, and for
    each POST every way a body is refused."""
    for path, item in DESCRIPTION["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post"} or path == "/openapi.json":
                continue
            codes = set(operation["responses"])
            assert {"401", "429"} <= codes, (path, method)
            if method == "post":
                assert {"400", "403", "404", "409", "413", "415", "422"} <= codes, path
