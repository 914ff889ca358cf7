"""Settings: defaults here, overridden by `instance/config.py` and by PORTAL_* environment variables.

Only keys declared in `Defaults` may be overridden from the environment, so a typo in a variable name
is an error instead of a silently ignored setting (Digital Marketplace `dmutils/config.py`).
"""

from __future__ import annotations

import os
from typing import Any


class Defaults:
    SECRET_KEY = "dev-only-change-me"
    # SQLite in instance/ unless PORTAL_DATABASE_URL says otherwise (set in create_app).
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # a 20 MB file plus the form around it
    EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    EVIDENCE_DIR: str | None = None  # default: instance/evidence
    # Where stored files live (portal/storage.py): "local" keeps them in EVIDENCE_DIR; "s3" in a
    # bucket of S3-compatible object storage (several app instances on other machines share it).
    # The operator creates the bucket; `flask evidence check` tests the configured store.
    STORAGE_BACKEND = "local"
    S3_BUCKET = ""
    S3_PREFIX = ""  # keys go under this prefix: several portals may share a bucket
    S3_ENDPOINT_URL = ""  # MinIO, Ceph, ...; empty: AWS
    S3_REGION = ""
    S3_ADDRESSING_STYLE = ""  # "path" for stores without bucket host names; empty: boto3 decides
    # Empty: boto3's own credential chain (environment, instance role).
    S3_ACCESS_KEY_ID = ""
    S3_SECRET_ACCESS_KEY = ""
    # Uploads are written here while they are read and hashed (default: EVIDENCE_DIR/tmp for the
    # local store, a folder of the system's temporary directory for S3).
    UPLOAD_TMP_DIR: str | None = None
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies: set PORTAL_SESSION_COOKIE_SECURE=0 only for plain-HTTP development
    # (`make run` does).
    SESSION_COOKIE_SECURE = True
    # Signed out after this many minutes without a request; sessions never outlive a day.
    IDLE_TIMEOUT_MINUTES = 30
    SESSION_MAX_HOURS = 12
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PER_PAGE = 25
    # Rate limits (Flask-Limiter notation). Per client address, and per account for log-in.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = "20 per minute; 200 per hour"
    LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
    ACCOUNT_LIMIT_PER_ADDRESS = "10 per minute; 50 per hour"
    # Mail: "smtp" sends over SMTP; "outbox" writes .eml files to MAIL_OUTBOX_DIR (development);
    # "console" writes them to the log.
    MAIL_BACKEND = "outbox"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_STARTTLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_SENDER = "DAS-portaal <noreply@das-portaal.nl>"
    MAIL_OUTBOX_DIR: str | None = None  # default: instance/outbox
    MAIL_TIMEOUT = 10
    # Lifetimes of the links we mail, in seconds.
    EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 3600
    INVITATION_MAX_AGE = 7 * 24 * 3600
    # Documents that expire within this many days are pointed out to the provider.
    EXPIRY_WARNING_DAYS = 60
    # Unsigned agreements: a reminder every so many days, suspension after so many days.
    SIGNATURE_REMINDER_DAYS = 7
    SIGNATURE_SUSPEND_DAYS = 30
    # KPI figures are due this many days after the end of their period.
    KPI_DUE_DAYS = 30
    # The OCDS prefix registered for this publisher (https://standard.open-contracting.org/
    # latest/en/guidance/identifiers/); "ocds-xxxxxx" until one is registered.
    OCDS_PREFIX = "ocds-xxxxxx"
    PUBLISHER_NAME = "Gemeenten Midden-Limburg (DAS-portaal jeugdhulp)"
    # Days before the review deadline at which an application is marked "at risk".
    AT_RISK_WORKING_DAYS = 3
    # Statements (privacy, accessibility): who answers questions, and how long data is kept.
    CONTACT_EMAIL = "inkoop@das-portaal.nl"
    PRIVACY_OFFICER_EMAIL = "privacy@das-portaal.nl"
    # Declarations and evidence of rejected and ended providers: kept this many years after
    # the end of the DAS (the Archiefwet selection list for procurement files), then deleted.
    RETENTION_YEARS = 7
    ACCESSIBILITY_STATEMENT_DATE = "2026-11-25"
    # Behind a reverse proxy (README, "Draaien op meerdere machines"): how many proxies in front of
    # the portal set X-Forwarded-For/-Proto/-Host. 0 = none: the client address is the peer's.
    PROXY_COUNT = 0
    # Server-Timing and X-Query-Count headers on every response (time in the app and in the
    # database, SQL statements run): for benchmarks (`make bench`) and diagnosis. Off by default,
    # because the figures tell an outsider something about the data behind a page.
    SERVER_TIMING = False


DECLARED_KEYS = {k for k in vars(Defaults) if k.isupper()}


def env_overrides(environ: os._Environ[str] | dict[str, str], prefix: str = "PORTAL_") -> dict:
    """Declared settings given as PORTAL_<KEY> in the environment, converted to the default's type."""
    result: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(prefix):
            continue
        key = name[len(prefix) :]
        if key not in DECLARED_KEYS:
            continue
        default = getattr(Defaults, key)
        if isinstance(default, bool):
            result[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int):
            result[key] = int(raw)
        else:
            result[key] = raw
    return result
