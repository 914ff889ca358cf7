"""Nothing typed is lost when a session or its form token has run out.

A form can come back too late in three ways: the session went idle or past its maximum age while
the page was open (the cookie's own times, `end_idle_sessions` in portal/web/register.py); the
server-side record of the session ran out, so the user loader no longer accepts the cookie and
the view's access decision sends the visitor to log in (Flask-Login's unauthorized handler); or
the form token is no longer valid (Flask-WTF's CSRFError: the session was renewed in another
tab, or the browser lost its session cookie). Each of these used to drop what was typed.

Now the form is kept (portal/services/parked_forms.py) for whoever typed it:
- the signed-in user;
- else the user of the session the cookie names, if that session ran out by itself rather than
  being ended (portal/services/user_sessions.py `lapsed_user`): shown again only after they
  log in again, in whatever browser session that starts;
- else, on a page anyone may use (registration), this browser, by a token in its session.
The user is told, in plain words, and sent to log in (`next` brings them back) or straight back
to the page. There the page's form comes back filled in (portal/pages/parked.py) with a note to
check it and save it: nothing is saved for them. Never kept: the pages of logging in, the second
step, passwords and invitations (the whole auth blueprint but registration), and a form with a
bad token that did not come from one of our own pages (it could be another site's forgery).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_url, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.auth import sessions as auth_sessions
from portal.auth.access import PUBLIC, access_of
from portal.extensions import login_manager
from portal.infra.timeutil import now
from portal.models import User
from portal.pages import parked
from portal.services import parked_forms, user_sessions
from portal.services.parked_forms import Owner

# Of the auth blueprint only registration is kept: the others take passwords, codes of the
# second step or a mailed token in their path, or are log-in and log-out themselves.
KEPT_AUTH_ENDPOINTS = frozenset({"auth.register"})
NEVER_KEPT_ENDPOINTS = frozenset({"set_language", "static"})


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, form_token_refused)
    login_manager.unauthorized_handler(unauthorized)
    app.add_template_global(parked.restored, "parked_form_restored")


# --- the idle session (portal/web/register.py) --------------------------------------------------


def session_lapsed() -> bool:
    """Idle for IDLE_TIMEOUT_MINUTES, or older than SESSION_MAX_HOURS (OWASP ASVS 3.3.2); the
    times are in the signed session cookie."""
    moment = now().timestamp()
    seen = session.get("seen_at", moment)
    began = session.get("auth_at", moment)
    config = current_app.config
    idle = moment - seen > int(config["IDLE_TIMEOUT_MINUTES"]) * 60
    too_old = moment - began > int(config["SESSION_MAX_HOURS"]) * 3600
    return bool(idle or too_old)


def sign_out_lapsed() -> Response:
    """Sign out the signed-in user whose session lapsed, keeping the form they sent, and send them
    to log in again."""
    kept = _park(Owner.user(current_user.id))
    auth_sessions.end_current()
    logout_user()
    for key in ("seen_at", "auth_at"):
        session.pop(key, None)
    return _to_log_in(kept)


# --- the handlers ------------------------------------------------------------------------------


def unauthorized() -> Response:
    """Flask-Login's answer to a visitor who is not signed in, on a page for signed-in users:
    to log in, and back here afterwards. A form whose session ran out is kept first."""
    if request.method == "POST":
        user = _lapsed_user()
        if user is not None:
            kept = _park(Owner.user(user.id))
            if kept:
                return _to_log_in(kept)
    # Flask-Login's own answer (LoginManager.unauthorized without a handler).
    if login_manager.login_message:
        flash(gettext(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url("auth.login", next_url=request.url))


def form_token_refused(error: CSRFError) -> Response | tuple[str, int]:
    """The form's token was missing or no longer valid. A form from one of our own pages is kept
    and the page shown again filled in (or, when the session has run out, the log-in first);
    anything else gets the 400 page, as before."""
    if _from_our_pages():
        if current_user.is_authenticated:
            if session_lapsed():
                return sign_out_lapsed()
            kept = _park(Owner.user(current_user.id))
            if kept:
                return _back_to(kept)
        elif not _is_public_page() and (user := _lapsed_user()) is not None:
            kept = _park(Owner.user(user.id))
            if kept:
                return _to_log_in(kept)
        elif _is_public_page():
            token = _browser_token()
            kept = _park(Owner.browser(token))
            if kept:
                session[parked.BROWSER_TOKEN_KEY] = token
                return _back_to(kept)
    return render_template("errors/400.html", expired_form=True), 400


# --- keeping a form ------------------------------------------------------------------------------


def _parkable() -> bool:
    endpoint = request.endpoint or ""
    if request.method != "POST" or not endpoint or endpoint in NEVER_KEPT_ENDPOINTS:
        return False
    return request.blueprint != "auth" or endpoint in KEPT_AUTH_ENDPOINTS


def _park(owner: Owner) -> str | None:
    """Keep this request's form for the owner; the page it is kept for, or None when nothing
    was kept (a page that is never kept, no page to show it on, nothing worth keeping)."""
    if not _parkable():
        return None
    path = _form_page()
    if path is None:
        return None
    pairs = [(name, value) for name, values in request.form.lists() for value in values]
    lifetime = timedelta(hours=int(current_app.config["PARKED_FORM_HOURS"]))
    if not parked_forms.park(owner, path, pairs, now(), lifetime):
        return None
    return path


def _form_page() -> str | None:
    """The page the form was on: the address it was sent to when that is a page (most forms send
    to their own page), else the page that sent it (the Referer, from our own site only)."""
    if _is_page(request.path):
        return parked.page_path()
    referrer = urlsplit(request.referrer or "")
    if (referrer.scheme, referrer.netloc) != (request.scheme, request.host):
        return None
    if not _is_page(referrer.path):
        return None
    return referrer.path + ("?" + referrer.query if referrer.query else "")


def _is_page(path: str) -> bool:
    """Whether a GET of this path opens a page of the portal."""
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        return False
    try:
        endpoint, _arguments = adapter.match(path, method="GET")
    except HTTPException:  # no such page, no GET, or a redirect
        return False
    return endpoint not in NEVER_KEPT_ENDPOINTS


def _from_our_pages() -> bool:
    """Whether the browser says the form came from our own site. A form with a bad token from
    anywhere else may be a forgery: keeping it would fill in a page with someone else's words."""
    ours = f"{request.scheme}://{request.host}"
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin:
        return origin == ours
    referrer = urlsplit(request.referrer or "")
    return f"{referrer.scheme}://{referrer.netloc}" == ours


def _is_public_page() -> bool:
    endpoint = request.endpoint
    return bool(endpoint) and access_of(current_app, endpoint or "") == PUBLIC


def _lapsed_user() -> User | None:
    """The user of the session this cookie names, when it ran out by itself (not ended), and the
    cookie is still theirs (the password has not changed since: User.get_id)."""
    token = auth_sessions.current_token()
    if token is None:
        return None
    user = user_sessions.lapsed_user(token, now(), auth_sessions.lifetime())
    if user is None or user.get_id() != session.get("_user_id"):
        return None
    return user


def _browser_token() -> str:
    """This browser's token for the forms it keeps while not signed in (a new one if it has
    none; the caller puts it in the session once something is kept)."""
    token = session.get(parked.BROWSER_TOKEN_KEY)
    return token if isinstance(token, str) else secrets.token_urlsafe(32)


# --- telling the user --------------------------------------------------------------------------


def _to_log_in(kept: str | None) -> Response:
    """To the log-in page, and afterwards back to the page."""
    if kept:
        flash(
            gettext(
                "U was te lang niet actief en bent uitgelogd. Log opnieuw in; wat u had "
                "ingevuld is bewaard."
            ),
            "info",
        )
        return parked.set_hint(redirect(url_for("auth.login", next=kept), 303))
    flash(gettext("U was een tijd niet actief en bent uitgelogd. Log opnieuw in."), "info")
    target = parked.page_path() if request.method == "GET" else _form_page()
    return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))


def _back_to(kept: str) -> Response:
    """Back to the page, where the kept form is shown filled in."""
    flash(
        gettext(
            "Dit formulier was te lang geopend en is niet verwerkt. Er is nog niets opgeslagen."
        ),
        "info",
    )
    response = redirect(kept, 303)
    return parked.set_hint(response) if current_user.is_authenticated else response
