"""Access decisions. Every route makes one explicitly; tests/test_authz.py walks the URL map.

A view is either `public`, for any signed-in user (`signed_in`), for a set of roles
(`role_required`), for the provider's user who administers their organisation
(`organisation_admin_required`), for software with an API token of a provider's organisation
(`api_token_required`, the JSON API of portal/api), or its blueprint checks a role for all its
views (`protect_blueprint`).

A decision holds for every method of its endpoint. Where one URL takes a page for several roles
and an action for fewer (a contract manager reads the KPI definitions, an administrator changes
them), the action is an endpoint of its own with its own decision (`POST` on the same URL), so
the decision is where tests/test_authz.py reads it, and never an `if` inside the view. Which
*objects* a user may see is the business of portal/services/ownership.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, abort, current_app, g, request
from flask_login import current_user

from portal.models import ApiScope, ApiToken, Role

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")

PUBLIC = "public"
SIGNED_IN = "signed_in"
ORGANISATION_ADMIN = "organisation_admin"


def _decide(holder: object, decision: object) -> None:
    """Record the decision on the view function (or blueprint), where access_of reads it."""
    vars(holder)["access"] = decision


def public(view: F) -> F:
    """Anyone, signed in or not."""
    _decide(view, PUBLIC)
    return view


def _check(roles: frozenset[Role] | None) -> None:
    from portal.extensions import login_manager

    if not current_user.is_authenticated:
        # Flask-Login redirects to the log-in page and comes back here afterwards.
        abort(login_manager.unauthorized())
    if roles is not None and current_user.role not in roles:
        abort(403)


def signed_in(view: Callable[P, R]) -> Callable[P, R]:
    """Any signed-in user, whatever the role."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        _check(None)
        return view(*args, **kwargs)

    _decide(wrapped, SIGNED_IN)
    return wrapped


def role_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    allowed = frozenset(roles)

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            _check(allowed)
            return view(*args, **kwargs)

        _decide(wrapped, allowed)
        return wrapped

    return decorator


def organisation_admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """A provider's user who administers their organisation: its profile, its colleagues and
    all its data. Other colleagues get 403."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        _check(frozenset({Role.PROVIDER}))
        if not current_user.is_organisation_admin:
            abort(403)
        return view(*args, **kwargs)

    _decide(wrapped, ORGANISATION_ADMIN)
    return wrapped


class ApiRefusal(Exception):
    """An API request refused before its view runs (401, 403, 429): portal/api answers it as a
    problem document (RFC 9457) with the message of `code`."""

    def __init__(
        self, status: int, code: str, headers: dict[str, str] | None = None, **params: object
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers or {}
        self.params = params


API_TOKEN = "api_token"
BEARER_REALM = 'Bearer realm="DAS-portaal API"'


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _count(setting: str, scope: str, key: str) -> None:
    """One more request against the limits in `setting` (Flask-Limiter notation) for `key`;
    refused with Retry-After when they are spent."""
    from limits import parse_many

    from portal.extensions import limiter

    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    for item in parse_many(current_app.config[setting]):
        if not limiter.limiter.hit(item, scope, key):
            reset_at = limiter.limiter.get_window_stats(item, scope, key).reset_time
            seconds = max(1, math.ceil(reset_at - time.time()))
            raise ApiRefusal(
                429, "api_rate_limited", {"Retry-After": str(seconds)}, seconds=seconds
            )


def _count_request(token: ApiToken) -> None:
    """API_RATE_LIMIT requests per token (keyed on its hash: no two tokens share a counter, not
    even after a wiped test database reuses an id)."""
    _count("API_RATE_LIMIT", "api", token.token_hash)


def _count_refusal() -> None:
    """API_FAILED_AUTH_LIMIT requests without a valid token per client address: a secret cannot
    be guessed, but no one should make the portal look up secrets without end."""
    _count("API_FAILED_AUTH_LIMIT", "api-refused", request.remote_addr or "")


def api_token_required(scope: ApiScope | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Software of a provider's organisation with a live API token (issue 23), sent as
    `Authorization: Bearer <secret>`, with `scope` among its scopes (None: any token). Never the
    session cookie: a signed-in browser without the header is refused, so no other site can make
    a visitor's browser report in their name. The token is in `api_token()` for the view."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            from portal.infra.timeutil import now
            from portal.services import api_tokens

            secret = _bearer_secret()
            if secret is None:
                _count_refusal()
                raise ApiRefusal(401, "api_token_missing", {"WWW-Authenticate": BEARER_REALM})
            token = api_tokens.authenticate(secret, now(), request.remote_addr or "")
            if token is None:
                _count_refusal()
                raise ApiRefusal(
                    401,
                    "api_token_invalid",
                    {"WWW-Authenticate": f'{BEARER_REALM}, error="invalid_token"'},
                )
            _count_request(token)
            if scope is not None and scope.value not in token.scopes:
                raise ApiRefusal(
                    403,
                    "api_scope_missing",
                    {
                        "WWW-Authenticate": (
                            f'{BEARER_REALM}, error="insufficient_scope", scope="{scope.value}"'
                        )
                    },
                    scope=scope.value,
                )
            g.api_token = token
            return view(*args, **kwargs)

        _decide(wrapped, (API_TOKEN, scope))
        return wrapped

    return decorator


def api_token() -> ApiToken:
    """The token the current API request came with (set by api_token_required)."""
    token: ApiToken = g.api_token
    return token


def protect_blueprint(bp: Blueprint, roles: Iterable[Role]) -> None:
    """One role check for every view of an audience's blueprint (in before_request)."""
    allowed = frozenset(roles)
    _decide(bp, allowed)

    @bp.before_request
    def _require_role() -> None:
        _check(allowed)


def access_of(app: Any, endpoint: str) -> object | None:
    """The access decision for an endpoint, or None when it has none (a bug)."""
    view = app.view_functions[endpoint]
    decision = getattr(view, "access", None)
    if decision is not None:
        return decision
    blueprint_name = endpoint.rpartition(".")[0]
    if blueprint_name:
        blueprint = app.blueprints.get(blueprint_name)
        return getattr(blueprint, "access", None)
    return None
