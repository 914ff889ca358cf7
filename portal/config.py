"""Settings: defaults here, overridden by `instance/config.py` and by PORTAL_* environment variables.

Only keys declared in `Defaults` may be overridden from the environment, so a typo in a variable name
is an error instead of a silently ignored setting (Digital Marketplace `dmutils/config.py`).

Outside development and tests the portal refuses to start with settings that are unsafe in
production (`unsafe_settings`): a known or short secret key or audit key, no https address of its
own, a malformed OCDS prefix. Without a registered OCDS prefix it starts, but publishes no open
data (`open_data_configured`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

# The values `make run` works with. Both are public, so production refuses them.
DEVELOPMENT_SECRET_KEY = "dev-only-change-me"
DEVELOPMENT_AUDIT_KEY = "dev-only-audit-key-change-me"
DEVELOPMENT_EXTERNAL_URL = "http://127.0.0.1:5000"
# The OCDS prefix until the Open Contracting Partnership registers one: open data is only
# published outside development with a registered prefix, "ocds-" and six letters or digits.
PLACEHOLDER_OCDS_PREFIX = "ocds-xxxxxx"
OCDS_PREFIX_FORMAT = re.compile(r"ocds-[A-Za-z0-9]{6}")


class Defaults:
    # Development (`make run`, PORTAL_DEVELOPMENT=1) and tests (TESTING) may run with the public
    # defaults below; anywhere else create_app refuses unsafe settings (unsafe_settings).
    DEVELOPMENT = False
    # Signs session cookies and mailed links: at least 32 random bytes in production, e.g.
    # `python -c 'import secrets; print(secrets.token_hex(32))'`.
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    # The portal's public address. Links in mails are built on it, never on the Host header of
    # the request that caused the mail; in production only its host (and EXTRA_TRUSTED_HOSTS,
    # comma-separated, e.g. the address a load balancer's health check uses) may be asked for.
    EXTERNAL_URL = DEVELOPMENT_EXTERNAL_URL
    EXTRA_TRUSTED_HOSTS = ""
    # The key of the audit trail's HMAC chain (portal.domain.audit_chain): kept outside the
    # database, so that someone who can write the database cannot write a chain that verifies.
    # In production a long random value of its own (not SECRET_KEY), set before the first
    # `flask db upgrade` to 0013 and never changed: every recorded event and anchor depends on it.
    AUDIT_KEY = DEVELOPMENT_AUDIT_KEY
    # SQLite in instance/ unless PORTAL_DATABASE_URL says otherwise (set in create_app).
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Werkzeug's password hash method. scrypt (memory-hard) in production, where nothing else is
    # accepted (unsafe_settings); the test suite uses one PBKDF2 round, since it logs in thousands
    # of times and scrypt costs a tenth of a second a check.
    PASSWORD_HASH_METHOD = "scrypt"
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # a 20 MB file plus the form around it
    EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    EVIDENCE_DIR: str | None = None  # default: instance/evidence
    # Where stored files live (portal/infra/storage.py): "local" keeps them in EVIDENCE_DIR; "s3" in a
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
    # A form that arrives after its session or form token ran out is kept this long for its
    # owner, and shown filled in when they open the page again (portal/web/parking.py).
    PARKED_FORM_HOURS = 24
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PER_PAGE = 25
    # Rate limits (Flask-Limiter notation). Per client address, and per account for log-in.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = "20 per minute; 200 per hour"
    # Wrong codes at the second step, per account.
    SECOND_STEP_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
    ACCOUNT_LIMIT_PER_ADDRESS = "10 per minute; 50 per hour"
    # The API for providers' software (portal/api): requests per token, and the largest body.
    # The public document check (issue 24) reads uploads of up to 10 MB with pyHanko, and its
    # reference look-up should not serve as a way to list references: per client address.
    VERIFY_LIMIT_PER_ADDRESS = "20 per minute; 200 per hour"
    API_RATE_LIMIT = "120 per minute; 5000 per day"
    # Requests without a valid token, per client address.
    API_FAILED_AUTH_LIMIT = "30 per minute; 300 per hour"
    API_MAX_BODY_BYTES = 256 * 1024
    # Wrong passwords (portal/services/login_throttle.py): clients without a device cookie for
    # the account are locked out after so many failures per account, and per address; a browser
    # that logged in to the account before (device cookie) is not held by that, but by a count
    # of its own. Each lock-out lasts longer (minutes, the last repeats); failures are forgotten
    # LOCKOUT_WINDOW_HOURS after the first.
    LOCKOUT_FAILURES_PER_ACCOUNT = 5
    LOCKOUT_FAILURES_PER_ADDRESS = 20
    LOCKOUT_FAILURES_PER_DEVICE = 5
    LOCKOUT_MINUTES = "1, 5, 15, 60"
    LOCKOUT_WINDOW_HOURS = 24
    DEVICE_COOKIE_DAYS = 180
    # Invitations to colleagues: per organisation, and per invited address over all organisations
    # (no mail-bombing an address through invitations).
    INVITATION_LIMIT_PER_ORGANISATION = "20 per hour; 100 per day"
    INVITATION_LIMIT_PER_ADDRESS = "3 per day"
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
    # Background jobs (portal/infra/jobs.py, README "Background jobs"). The queue: "sqlite" (a file
    # in instance/, JOBS_SQLITE_PATH: one machine), "redis" (JOBS_REDIS_URL) or "postgresql" (the
    # portal's own database) for workers on several machines; "immediate" runs a job when it is
    # enqueued (the tests). Empty: "sqlite", and "immediate" in tests.
    JOBS_BACKEND = ""
    JOBS_QUEUE_NAME = "das-portaal"
    JOBS_SQLITE_PATH: str | None = None
    JOBS_REDIS_URL = "redis://127.0.0.1:6379/0"
    # Worker threads and the scheduler inside the web server's process (`make run` sets it);
    # in production run `flask --app portal jobs worker` instead.
    JOBS_EMBEDDED_WORKER = False
    JOBS_WORKERS = 2
    # Seconds before a failed job's first retry; each next retry waits twice as long.
    JOBS_RETRY_DELAY = 60
    # Sent mails stay in the outbox this many days (the administrators' page shows them).
    OUTBOX_KEEP_DAYS = 30
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
    # latest/en/guidance/identifiers/); the placeholder until one is registered, which only
    # development accepts (ocds_prefix_problems).
    OCDS_PREFIX = PLACEHOLDER_OCDS_PREFIX
    PUBLISHER_NAME = "Gemeenten Midden-Limburg (DAS-portaal jeugdhulp)"
    # Days before the review deadline at which an application is marked "at risk".
    AT_RISK_WORKING_DAYS = 3
    # Statements (privacy, accessibility): who answers questions, and how long data is kept.
    CONTACT_EMAIL = "inkoop@das-portaal.nl"
    PRIVACY_OFFICER_EMAIL = "privacy@das-portaal.nl"
    # Declarations and evidence of rejected and ended providers: kept this many years after
    # the end of the DAS (the Archiefwet selection list for procurement files), then deleted.
    RETENTION_YEARS = 7
    ACCESSIBILITY_STATEMENT_DATE = "2026-11-29"
    # Behind a reverse proxy (README, "Draaien op meerdere machines"): how many proxies in front of
    # the portal set X-Forwarded-For/-Proto/-Host. 0 = none: the client address is the peer's.
    PROXY_COUNT = 0
    # Server-Timing and X-Query-Count headers on every response (time in the app and in the
    # database, SQL statements run): for benchmarks (`make bench`) and diagnosis. Off by default,
    # because the figures tell an outsider something about the data behind a page.
    SERVER_TIMING = False
    # The electronic seal on every document the portal issues (portal/infra/seal.py, issue 24): a
    # PKCS#12 file with the contracting authority's seal key, its certificate and the chain above
    # it, and the file's password. Production does not start without them; development and tests
    # seal with a demo chain generated into instance/seal-demo.p12. With a timestamp service
    # (RFC 3161) the seal is PAdES B-T, else B-B.
    SEAL_PKCS12_PATH = ""
    SEAL_PKCS12_PASSWORD = ""
    SEAL_TIMESTAMP_URL = ""


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


# --- settings that are unsafe in production ------------------------------------------------------

MIN_SECRET_KEY_BYTES = 32
# Keys that have been published (in this repository, its tests, its documentation or framework
# examples): anyone could sign a session or a link with them.
KNOWN_SECRET_KEYS = frozenset(
    {
        DEVELOPMENT_SECRET_KEY,
        "test-secret",
        "change-me",
        "changeme",
        "secret",
        "dev",
        "development",
    }
)


class UnsafeSettings(RuntimeError):
    """Raised by create_app outside development and tests; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "The portal refuses to start with unsafe production settings:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
            + "\n(For development on your own machine set PORTAL_DEVELOPMENT=1, as `make run` does.)"
        )


def is_development(config: Mapping[str, Any]) -> bool:
    """Development and tests may run with the public defaults; everything else is production."""
    return bool(config.get("TESTING") or config.get("DEVELOPMENT"))


def _key_problems(name: str, key: str | bytes, development_default: str) -> list[str]:
    """A signing key: set, not a published value, and at least 32 bytes."""
    raw = key.encode() if isinstance(key, str) else bytes(key)
    if not raw or key == development_default:
        return [f"PORTAL_{name} is not set (the development default would be used)."]
    if key in KNOWN_SECRET_KEYS:
        return [f"PORTAL_{name} is a known, published value; choose a random one."]
    if len(raw) < MIN_SECRET_KEY_BYTES:
        return [
            f"PORTAL_{name} is {len(raw)} bytes; it must be at least {MIN_SECRET_KEY_BYTES} "
            "random bytes (python -c 'import secrets; print(secrets.token_hex(32))')."
        ]
    return []


def _secret_key_problems(config: Mapping[str, Any]) -> list[str]:
    return _key_problems("SECRET_KEY", config.get("SECRET_KEY") or "", DEVELOPMENT_SECRET_KEY)


def _audit_key_problems(config: Mapping[str, Any]) -> list[str]:
    """The audit chain's HMAC key: like the secret key, and not the secret key itself, which may
    be rotated (signing out everyone) while this one never changes."""
    key = config.get("AUDIT_KEY") or ""
    problems = _key_problems("AUDIT_KEY", key, DEVELOPMENT_AUDIT_KEY)
    if not problems and key == config.get("SECRET_KEY"):
        return ["PORTAL_AUDIT_KEY must be a key of its own, not the same as PORTAL_SECRET_KEY."]
    return problems


def _cookie_problems(config: Mapping[str, Any]) -> list[str]:
    """Session and device cookies only over HTTPS: plain HTTP is for `make run` alone."""
    if not config.get("SESSION_COOKIE_SECURE", True):
        return [
            "PORTAL_SESSION_COOKIE_SECURE is off: session cookies would travel over plain HTTP."
        ]
    return []


def _external_url_problems(config: Mapping[str, Any]) -> list[str]:
    url = (config.get("EXTERNAL_URL") or "").strip()
    if not url or url == DEVELOPMENT_EXTERNAL_URL:
        return [
            "PORTAL_EXTERNAL_URL is not set: links in mails need the portal's public address, "
            "e.g. https://das.example.nl."
        ]
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        return [
            f"PORTAL_EXTERNAL_URL must be an https address such as https://das.example.nl, not {url!r}."
        ]
    return []


def _password_hash_problems(config: Mapping[str, Any]) -> list[str]:
    """Passwords are hashed with scrypt: a cheaper method is for the test suite only."""
    method = config.get("PASSWORD_HASH_METHOD") or "scrypt"
    if method.split(":", 1)[0] != "scrypt":
        return [f"PORTAL_PASSWORD_HASH_METHOD is {method!r}: passwords must be hashed with scrypt."]
    return []


def ocds_prefix_problems(config: Mapping[str, Any]) -> list[str]:
    """The ocid prefix: registered (not the placeholder) and in OCP's format, so that no release
    is published under an ocid another publisher may own."""
    prefix = (config.get("OCDS_PREFIX") or "").strip()
    if not prefix or prefix == PLACEHOLDER_OCDS_PREFIX:
        return [
            "PORTAL_OCDS_PREFIX is not set: open data (OCDS) needs the prefix the Open "
            "Contracting Partnership registered for this publisher, e.g. ocds-a1b2c3."
        ]
    if not OCDS_PREFIX_FORMAT.fullmatch(prefix):
        return [
            f"PORTAL_OCDS_PREFIX must be 'ocds-' followed by six letters or digits, not {prefix!r}."
        ]
    return []


def _ocds_prefix_format_problems(config: Mapping[str, Any]) -> list[str]:
    """A prefix that is set but malformed is a mistake the portal will not start with; without
    one (the placeholder) it starts and publishes no open data (open_data_configured)."""
    prefix = (config.get("OCDS_PREFIX") or "").strip()
    if not prefix or prefix == PLACEHOLDER_OCDS_PREFIX:
        return []
    return ocds_prefix_problems(config)


def _seal_problems(config: Mapping[str, Any]) -> list[str]:
    """The seal's PKCS#12 file: set, and readable with its password (portal/infra/seal.py)."""
    path = (config.get("SEAL_PKCS12_PATH") or "").strip()
    if not path:
        return [
            "PORTAL_SEAL_PKCS12_PATH is not set: documents are sealed with the contracting "
            "authority's seal, a PKCS#12 file (and PORTAL_SEAL_PKCS12_PASSWORD)."
        ]
    from portal.infra.seal import SealUnavailable, load_pkcs12

    try:
        load_pkcs12(path, config.get("SEAL_PKCS12_PASSWORD") or "")
    except SealUnavailable as error:
        return [f"PORTAL_SEAL_PKCS12_PATH cannot be read with PORTAL_SEAL_PKCS12_PASSWORD: {error}"]
    return []


def open_data_configured(config: Mapping[str, Any]) -> bool:
    """Whether the OCDS endpoints may publish: always in development, else with a valid prefix."""
    return is_development(config) or not ocds_prefix_problems(config)


# Each check takes the settings and returns its problems as sentences for the operator. A new
# production requirement is one more function in this tuple.
PRODUCTION_CHECKS: tuple[Callable[[Mapping[str, Any]], list[str]], ...] = (
    _secret_key_problems,
    _audit_key_problems,
    _external_url_problems,
    _cookie_problems,
    _password_hash_problems,
    _ocds_prefix_format_problems,
    _seal_problems,
)


def unsafe_settings(config: Mapping[str, Any]) -> list[str]:
    """What makes these settings unfit for production, one sentence each; empty when fit."""
    return [problem for check in PRODUCTION_CHECKS for problem in check(config)]


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """The host names a production request may carry (Flask's TRUSTED_HOSTS): the external
    address's host and EXTRA_TRUSTED_HOSTS. Any other Host header is answered with 400."""
    hosts = [urlsplit(config["EXTERNAL_URL"].strip()).hostname or ""]
    hosts += [h.strip() for h in (config.get("EXTRA_TRUSTED_HOSTS") or "").split(",")]
    return [host for host in dict.fromkeys(hosts) if host]
