"""Giving a kept form back (portal/services/parked_forms.py): when its owner opens the page again,
the first form of the page whose fields match takes what they typed, as if they had just sent it
and the page had come back to them. Nothing is saved until they save it. Keeping the form, when
a session or a form token ran out, is portal/web/parking.py.

Every form of the portal is a PortalForm (portal/pages/forms.py), which asks `formdata_for` for
its data on a GET; no view needs to know. A signed-in user's browser carries a hint cookie while
it may have a form waiting, so other pages cost no query; a visitor who is not signed in carries
the token of their kept forms in the session cookie.
"""

from __future__ import annotations

from collections.abc import Collection

from flask import after_this_request, current_app, g, has_request_context, request, session
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.infra.timeutil import now
from portal.services import parked_forms
from portal.services.parked_forms import Owner

# The session cookie's key for a browser's own token (a visitor who is not signed in).
BROWSER_TOKEN_KEY = "parked"
# Set while a signed-in user may have a form waiting in this browser; it holds nothing.
HINT_COOKIE = "das_parked"
_LOOKED_UP = "parked_form_looked_up"
_WAITING = "parked_form_waiting"
_RESTORED = "parked_form_restored"


def page_path() -> str:
    """This request's path and query string, as a kept form is filed under."""
    query = request.query_string.decode("latin-1")
    return request.path + ("?" + query if query else "")


def owner() -> Owner | None:
    """Whose kept forms this request may see: the signed-in user's, or this browser's."""
    if current_user.is_authenticated:
        return Owner.user(current_user.id)
    token = session.get(BROWSER_TOKEN_KEY)
    return Owner.browser(token) if isinstance(token, str) else None


def set_hint(response: Response) -> Response:
    """Tell later requests of this browser that a signed-in user's form may be waiting."""
    response.set_cookie(
        HINT_COOKIE,
        "1",
        max_age=int(current_app.config["PARKED_FORM_HOURS"]) * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _clear_hint(response: Response) -> Response:
    response.delete_cookie(
        HINT_COOKIE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _waiting(whose: Owner) -> parked_forms.Kept | None:
    """The form kept for this page, looked up once per request."""
    if not g.get(_LOOKED_UP):
        kept = None
        if whose.browser_key is not None or request.cookies.get(HINT_COOKIE):
            kept = parked_forms.waiting(whose, page_path(), now())
        setattr(g, _WAITING, kept)
        setattr(g, _LOOKED_UP, True)
    kept_form: parked_forms.Kept | None = g.get(_WAITING)
    return kept_form


def matches(kept_names: Collection[str], field_names: Collection[str]) -> bool:
    """Whether a kept form belongs to a form with these fields: most of what was sent are its
    fields. (Not all: a page may send a hidden input of its own that is no field, and unticked
    boxes send nothing.)"""
    inside = len(set(kept_names) & set(field_names))
    return inside > 0 and inside > len(set(kept_names) - set(field_names))


def formdata_for(field_names: Collection[str]) -> MultiDict[str, str] | None:
    """What the owner typed, for the first form of the page it fits, on a GET; else None."""
    if not has_request_context() or request.method != "GET" or g.get(_RESTORED):
        return None
    whose = owner()
    if whose is None:
        return None
    kept = _waiting(whose)
    if kept is None or not matches([name for name, _value in kept.fields], field_names):
        return None
    handed = parked_forms.consume(whose, kept, now())
    if not handed.more_waiting:
        if whose.user_id is not None:
            after_this_request(_clear_hint)
        else:
            session.pop(BROWSER_TOKEN_KEY, None)
    if not handed.handed:  # another tab of the owner's got it first
        return None
    setattr(g, _RESTORED, True)
    after_this_request(_no_store)  # what someone typed, even on a page that may be cached
    return MultiDict(kept.fields)


def restored() -> bool:
    """Whether this page shows a kept form (base.html says so)."""
    return bool(g.get(_RESTORED))
