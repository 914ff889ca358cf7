"""Access decisions. Every route makes one explicitly; tests/test_authz.py walks the URL map.

A view is either `public`, for any signed-in user (`signed_in`), or for a set of roles
(`role_required`), or its blueprint checks a role for all its views (`protect_blueprint`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_login import current_user

from portal.models import Role

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view: F) -> F:
    """Anyone, signed in or not."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def _check(roles: frozenset[Role] | None) -> None:
    from portal.extensions import login_manager

    if not current_user.is_authenticated:
        # Flask-Login redirects to the log-in page and comes back here afterwards.
        abort(login_manager.unauthorized())
    if roles is not None and current_user.role not in roles:
        abort(403)


def signed_in(view: F) -> F:
    """Any signed-in user, whatever the role."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _check(None)
        return view(*args, **kwargs)

    wrapped.access = SIGNED_IN  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def role_required(*roles: Role) -> Callable[[F], F]:
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _check(allowed)
            return view(*args, **kwargs)

        wrapped.access = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def protect_blueprint(bp: Blueprint, roles: Iterable[Role]) -> None:
    """One role check for every view of an audience's blueprint (in before_request)."""
    allowed = frozenset(roles)
    bp.access = allowed  # type: ignore[attr-defined]

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
