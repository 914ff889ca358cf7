"""Wires the blueprints, the user loader, template helpers and the baseline security headers."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from flask import Flask, abort, redirect, request, session, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import sessions as auth_sessions
from portal.auth.access import public
from portal.domain.complaints import complaint_period_end
from portal.extensions import login_manager
from portal.infra.markdown import render_markdown
from portal.infra.timeutil import as_utc, local_date, now
from portal.models import Role

# Dutch interface labels for enum values, in one place so pages and e-mails agree.
from portal.models.labels import LABELS, action_label, label, profile_field_label
from portal.pages import params, tasks
from portal.pages.glossary import term_link
from portal.pages.money import format_money
from portal.services import accounts
from portal.web import caching, parking
from portal.web.blueprints import BLUEPRINTS
from portal.web.language import LANGUAGE_COOKIE


def register_web(app: Flask) -> None:
    params.init_app(app)  # before the first route: ids in paths fit the id columns
    parking.init_app(app)  # forms that arrive after their session or form token ran out
    caching.init_app(app)  # no-store for everything personal
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

    # The cookie names a server-side session record; log-out ends it (portal/auth/sessions.py).
    login_manager.user_loader(auth_sessions.load_user)

    @app.before_request
    def refuse_nul_characters() -> None:
        """No text a person types contains NUL; PostgreSQL cannot store it in text columns.
        Refused for every form and query at once (found by tests/test_fuzz_forms.py)."""
        for values in (request.args, request.form):
            if any("\x00" in value for _key, items in values.lists() for value in items):
                abort(400)

    @app.before_request
    def end_idle_sessions() -> Response | None:
        """Sign out after IDLE_TIMEOUT_MINUTES without a request, and after SESSION_MAX_HOURS
        whatever happens (OWASP ASVS 3.3.2). Times are kept in the signed session cookie."""
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        if parking.session_lapsed():
            # A form sent now is kept for the user until they have logged in again.
            return parking.sign_out_lapsed()
        moment = now().timestamp()
        session["seen_at"] = moment
        session.setdefault("auth_at", moment)
        return None

    @app.route("/taal/<code>", methods=["POST"])
    @public
    def set_language(code: str) -> Response:
        target = params.safe_local_path(request.form.get("next")) or url_for("public.home")
        response = redirect(target)
        if code in app.config["LANGUAGES"]:
            session["lang"] = code
            if current_user.is_authenticated:
                accounts.choose_language(current_user, code)
            response.set_cookie(
                LANGUAGE_COOKIE,
                code,
                max_age=365 * 24 * 3600,
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
        return response

    @app.template_filter("d")
    def _date(value: date | datetime | None) -> str:
        if value is None:
            return "–"
        if isinstance(value, datetime):
            return format_datetime(as_utc(value), "dd-MM-yyyy HH:mm")
        return format_date(value, "dd-MM-yyyy")

    @app.template_filter("longdate")
    def _longdate(value: date | None) -> str:
        return "–" if value is None else format_date(value, "d MMMM yyyy")

    app.add_template_filter(format_money, "money")

    @app.template_filter("complaint_period_end")
    def _complaint_period_end(letter_moment: datetime) -> date:
        """The last day of the complaint period a decision letter of this moment names."""
        return complaint_period_end(local_date(letter_moment))

    app.add_template_filter(render_markdown, "markdown")

    @app.template_filter("pct")
    def _percent(value: object) -> str:
        """A percentage figure the Dutch way, without trailing zeros: 4,957."""
        return "–" if value is None else format_decimal(value, format="0.###")

    app.add_template_global(label, "label")
    app.add_template_global(term_link, "term")  # a word linked to its glossary entry
    app.add_template_global(profile_field_label, "profile_field_label")
    app.add_template_global(action_label, "action_label")
    app.jinja_env.globals["LABELS"] = LABELS
    app.add_template_global(Role, "Role")
    # The header's "Mijn taken (N)" for staff, and where a task is done.
    app.add_template_global(tasks.header_count, "my_task_count")
    app.add_template_global(tasks.my_tasks_endpoint, "my_tasks_endpoint")
    app.add_template_global(tasks.task_url, "task_url")
    app.add_template_global(tasks.heading, "task_heading")
    app.jinja_env.globals["_"] = gettext
    app.jinja_env.globals["get_locale"] = get_locale
    app.add_template_global(
        lambda code: (Locale.parse(code).get_display_name(code) or code).capitalize(),
        "language_name",
    )

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
