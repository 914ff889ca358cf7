"""Access decisions. Every route makes one explicitly; tests/test_authz.py walks the URL map.

A view is either `public`, for any signed-in user (`signed_in`), for a set of roles
(`role_required`), for the provider's user who administers their organisation
(`organisation_admin_required`), or its blueprint checks a role for all its views
(`protect_blueprint`).

A decision holds for every method of its endpoint. Where one URL takes a page for several roles
and an action for fewer (a contract manager reads the KPI definitions, an administrator changes
them), the action is an endpoint of its own with its own decision (`POST` on the same URL), so
the decision is where tests/test_authz.py reads it, and never an `if` inside the view. Which
*objects* a user may see is the business of portal/services/ownership.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, abort
from flask_login import current_user

from portal.models import Role

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
