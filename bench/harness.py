"""What every benchmark needs: a fresh database, the portal's settings for it, the demo data,
and the portal under gunicorn on a free loopback port.

    with fresh_database("postgresql") as (url, label):
        env = portal_environment(url, workdir)
        prepare(env)
        with gunicorn(env, workers=4) as base_url:
            ...

The database is a throwaway PostgreSQL server by default (tests/support/pgserver.py), because
production runs PostgreSQL: SQLite serialises every write behind one file lock, so with several
gunicorn workers saving forms at once it measures lock waits that production never has. SQLite
(a file in a temporary directory) remains available for a quick look, and BENCH_DATABASE_URL
points the benchmark at a server of your own (an empty database: it is migrated and filled with
hundreds of test accounts). PORTAL_DATABASE_URL is deliberately not used: it is the variable a
developer exports for `make run`, and a benchmark must not fill that database.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
BIN = Path(sys.executable).parent

# All simulated users share 127.0.0.1, so the per-address limits on log-in and registration
# would stop the benchmark's log-ins; per-account limits stay as they are (every simulated user
# has its own account and logs in once).
GENEROUS_RATE_LIMITS = {
    "PORTAL_LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
    "PORTAL_ACCOUNT_LIMIT_PER_ADDRESS": "100000 per minute",
}


ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)s'


def server_times(log_path: Path) -> list[int]:
    """Milliseconds each request took inside a worker, from the access log."""
    times = []
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if line.startswith("127.0.0.1 ") and '" ' in line and "/healthz " not in line:
                last = line.rsplit(" ", 1)[-1].strip()
                if last.isdigit():
                    times.append(int(last))
    return times


def git_commit() -> str:
    """The commit a benchmark measured, for its report."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "onbekend"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """(SQLAlchemy URL, description) of an empty database, removed afterwards if we made it."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        yield given, "BENCH_DATABASE_URL (eigen server)"
        return
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}", "SQLite (tijdelijk bestand)"
        return
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.support.pgserver import TemporaryPostgres

    with TemporaryPostgres(dbname="bench") as pg:
        yield pg.url, f"PostgreSQL (tijdelijke server, {pg.bindir})"


def portal_environment(database_url: str, workdir: Path) -> dict[str, str]:
    """The environment the portal runs with during a benchmark: its own database, evidence and
    outbox directories under `workdir`, cookies over plain HTTP, generous per-address limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATABASE_URL=database_url,
        PORTAL_EVIDENCE_DIR=str(workdir / "evidence"),
        PORTAL_MAIL_OUTBOX_DIR=str(workdir / "outbox"),
        PORTAL_SECRET_KEY=secrets.token_hex(32),
        # Loopback is plain HTTP: a Secure cookie would never be sent back, and there is no
        # https address of its own, which production requires (portal.config.unsafe_settings).
        PORTAL_SESSION_COOKIE_SECURE="0",
        PORTAL_DEVELOPMENT="1",
        PYTHONPATH=str(PROJECT_ROOT),
        **GENEROUS_RATE_LIMITS,
    )
    return env


def run(argv: list[str], env: dict[str, str]) -> None:
    subprocess.run(argv, env=env, cwd=PROJECT_ROOT, check=True)


def prepare(env: dict[str, str], providers: int = 0, reviewers: int = 0) -> None:
    """Migrations, the demo data, and (when asked) the load-test accounts."""
    flask = [str(BIN / "flask"), "--app", "portal"]
    say("migraties")
    run([*flask, "db", "upgrade"], env)
    say("demodata")
    run([*flask, "seed-demo"], env)
    if providers or reviewers:
        say("belastingtestaccounts")
        run(
            [
                sys.executable,
                "-m",
                "bench.seed_load",
                "--providers",
                str(providers),
                "--reviewers",
                str(reviewers),
            ],
            env,
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


@contextmanager
def gunicorn(
    env: dict[str, str],
    workers: int,
    threads: int,
    log_path: Path,
    processes: list[subprocess.Popen] | None = None,
) -> Iterator[str]:
    """The portal under gunicorn on a free port of 127.0.0.1; yields its base URL (and appends
    the master process to `processes`, for reading its workers' memory)."""
    port = free_port()
    worker_class = "gthread" if threads > 1 else "sync"
    argv = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--access-logfile",
        "-",
        # The last field is the time the worker spent on the request (ms): set against the
        # client's figures it shows how much of the latency was waiting for a free worker.
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        "-",
        "portal:create_app()",
    ]
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            argv, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        if processes is not None:
            processes.append(process)
        try:
            _wait_until_up(f"{base_url}/healthz", process)
            say(
                f"gunicorn op {base_url}: {workers} workers ({worker_class}"
                + (f", {threads} threads" if threads > 1 else "")
                + f"), log {log_path.relative_to(PROJECT_ROOT)}"
            )
            yield base_url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # graceful: finishes requests in flight
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="das-bench-") as name:
        yield Path(name)
