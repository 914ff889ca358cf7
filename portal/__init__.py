"""DAS-portaal: the admission portal for a dynamic purchasing system for Dutch youth care."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.wrappers import Response

from portal.config import (
    Defaults,
    UnsafeSettings,
    env_overrides,
    is_development,
    trusted_hosts,
    unsafe_settings,
)
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.infra import storage
from portal.web.language import select_locale

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(env_overrides(os.environ))
    else:
        app.config.update(test_config)
    if not is_development(app.config):
        # Production: no public secret key, and only the portal's own host names (mailed links
        # are built on EXTERNAL_URL; no request may make the portal believe it lives elsewhere).
        problems = unsafe_settings(app.config)
        if problems:
            raise UnsafeSettings(problems)
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)

    # The session cookie outlives the idle timeout (enforced on the server: portal/web/register.py
    # and the session's record), so that a form sent after it still says whose it is and is kept
    # for them (portal/web/parking.py); it never outlives the maximum session age.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    database_url = app.config.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(app.instance_path, "portal.sqlite3")
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    if database_url.startswith("sqlite"):
        # SQLite needs no pool pings; it does need enforced foreign keys (see _sqlite_pragmas).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    app.config.setdefault("EVIDENCE_DIR", None)
    if not app.config["EVIDENCE_DIR"]:
        app.config["EVIDENCE_DIR"] = os.path.join(app.instance_path, "evidence")
    os.makedirs(app.instance_path, exist_ok=True)
    storage.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Log in om deze pagina te bekijken.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"

    with app.app_context():
        _sqlite_pragmas()
        from portal.infra.instrumentation import register_timing

        register_timing(app, db.engine)

    if app.config.get("PROXY_COUNT"):
        # Behind N reverse proxies: the client address, scheme and host they pass on (so rate
        # limits count the real client and url_for builds https links). Never trust more proxies
        # than there are, or any client can claim any address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )

    from portal import models  # noqa: F401  (registers the tables)
    from portal.web.register import register_web

    register_web(app)

    from portal.cli import register_cli

    register_cli(app)
    _init_jobs(app)

    @app.errorhandler(400)
    def bad_request(_error: HTTPException) -> tuple[str, int]:
        return render_template("errors/400.html"), 400

    @app.errorhandler(SecurityError)
    def unknown_host(_error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host not in TRUSTED_HOSTS: no page, since no link can be built for a host that is
        # not ours.
        return (
            gettext("Dit webadres hoort niet bij het DAS-portaal."),
            400,
            {"Content-Type": "text/plain; charset=utf-8"},
        )

    @app.errorhandler(403)
    def forbidden(_error: HTTPException) -> tuple[str, int]:
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error: HTTPException) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(413)
    def too_large(_error: HTTPException) -> tuple[str, int]:
        return render_template("errors/413.html"), 413

    @app.errorhandler(429)
    def too_many(error: HTTPException) -> Response:
        response = error.get_response()  # keeps Flask-Limiter's Retry-After header
        response.set_data(render_template("errors/429.html"))
        response.content_type = "text/html; charset=utf-8"
        return response

    from portal.api import problems as api_problems

    api_problems.init_app(app)  # a wrong URL or method under /api/v1 gets a problem document
    return app


def _init_jobs(app: Flask) -> None:
    """The job queue (portal/infra/jobs.py), its schedule (portal/jobs) and, with
    JOBS_EMBEDDED_WORKER (`make run`), worker threads and the scheduler in this process."""
    from portal.infra import jobs
    from portal.jobs import load_tasks

    if not app.config["JOBS_BACKEND"]:
        app.config["JOBS_BACKEND"] = "immediate" if app.config.get("TESTING") else "sqlite"
    queue = jobs.init_app(app)
    load_tasks()
    if app.config["JOBS_EMBEDDED_WORKER"] and _serving(app):
        import atexit

        consumer = queue.consumer(workers=int(app.config["JOBS_WORKERS"]), embedded=True)
        consumer.start()
        atexit.register(consumer.stop, graceful=True)


def _serving(app: Flask) -> bool:
    """Whether this process serves requests: not a flask command other than `run` (`flask db
    upgrade` starts no worker), and with the reloader (`flask run --debug`) only its child."""
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return False
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return True  # a WSGI server (gunicorn) imported the app
    import click

    command = click.get_current_context(silent=True)
    return command is not None and command.info_name == "run"


def _sqlite_pragmas() -> None:
    from sqlalchemy import event

    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Readers do not block the writer, and a killed process leaves a consistent database.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
