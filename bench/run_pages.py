"""The page benchmark: `make bench` (or `.venv/bin/python -m bench.run_pages --help`).

The page targets, measured in one run on a national-scale data set in PostgreSQL:

1. A throwaway PostgreSQL server with two databases, filled by `flask demo generate` at scale 0.1
   and at scale 1 (≈ 5,000 providers, 20,000 applications, 100,000 evidence records, 1.7 million
   KPI values), then ANALYZEd.
2. **Queries per page**, counted in-process (the statements each key page runs, transaction
   bookkeeping left out) at both scales: the same at 0.1 and 1, and at most 15.
3. **Latency**: the portal under gunicorn (4 sync workers, SERVER_TIMING on) on loopback. Signed-in
   clients (a provider, a reviewer, a contract manager; public pages anonymous) request every key
   page and `/healthz` in one shuffled mix, 8 at a time (two per worker), until each has been asked
   `--requests` times. p50 and p95 per page, each as a ratio to `/healthz` in the same run (the
   same mix, the same queue for a worker): every key page's p95 within 3x `/healthz`'s, the KPI
   dashboard within 10x. The in-worker time (Server-Timing) is reported beside it, so what is
   waiting for a worker and what is work can be told apart, and the X-Query-Count header of every
   response is checked against the in-process count.
4. **Memory**: the resident size of each worker after the load (target: under 250 MB), and on a
   fresh one-worker server the growth of the worker's peak resident size from a 20 MB upload
   (target: under 30 MB, so the file is streamed, not held in memory).
5. **Query plans**: every SELECT each key page runs at scale 1, EXPLAINed; a sequential scan of a
   table with more than 10,000 rows that remains with `enable_seqscan = off` (no index to use)
   fails the run; those the planner merely preferred are listed.

Writes bench/results/pages.json and pages.md, prints the table, exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyotp
import requests

from bench.forms import csrf_token
from bench.harness import (
    BIN,
    PROJECT_ROOT,
    RESULTS_DIR,
    git_commit,
    gunicorn,
    portal_environment,
    run,
    say,
    workdir,
)
from bench.targets import MANAGER, PROVIDER, PUBLIC, REVIEWER, Page, Targets

SCALES = (0.1, 1.0)
MAX_QUERIES = 15
P95_RATIO = 3.0
KPI_RATIO = 10.0
KPI_PAGE = "DAS overview"
WORKER_MB = 250
UPLOAD_MB = 20
UPLOAD_GROWTH_MB = 30
BIG_TABLE_ROWS = 10_000
# Transaction bookkeeping is not a query a page chose to run (as tests/test_query_counts.py).
NOISE = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


# --- the data ----------------------------------------------------------------------------------


def generate(env: dict[str, str], scale: float, seed: int) -> str:
    flask = [str(BIN / "flask"), "--app", "portal"]
    say(f"schaal {scale:g}: migraties")
    run([*flask, "db", "upgrade"], env)
    say(f"schaal {scale:g}: gegevens genereren (flask demo generate --scale {scale:g})")
    started = time.monotonic()
    output = subprocess.run(
        [*flask, "demo", "generate", "--scale", f"{scale:g}", "--seed", str(seed)],
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    say(f"schaal {scale:g}: gegenereerd in {time.monotonic() - started:.0f} s")
    return output


@contextmanager
def portal_app(env: dict[str, str]) -> Iterator[Any]:
    """The portal in this process, on the benchmark's database (for choosing the records,
    counting queries and reading query plans). CSRF off: the test client posts directly."""
    from portal import create_app
    from portal.config import env_overrides

    config = env_overrides(env) | {
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_TIMING": False,
        "TESTING": True,
    }
    app = create_app(config)
    # No application context around the test client's requests: a request inside an outer
    # context shares its `g`, and with it Flask-Login's signed-in user.
    yield app


def analyze(app: Any) -> dict[str, int]:
    """ANALYZE (fresh statistics, as autovacuum would give a while after loading), and the rows
    per table."""
    from portal.extensions import db

    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        rows = connection.exec_driver_sql(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY relname"
        ).all()
    return {name: int(count) for name, count in rows}


# --- signing in --------------------------------------------------------------------------------


def _totp(offset_steps: int) -> str:
    from portal.devdata.demo import DEMO_TOTP_SECRET

    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    return totp.at(time.time() + 30 * offset_steps)


def client_login(app: Any, email: str, code_offset: int) -> Any:
    """A test client signed in as `email` (staff give a one-time code `code_offset` steps from
    now: a code works once per step per user, and the HTTP clients use the current step)."""
    client = app.test_client()
    response = client.post("/inloggen", data={"email": email, "password": _password()})
    if response.status_code == 302 and "/inloggen/code" in response.location:
        response = client.post("/inloggen/code", data={"code": _totp(code_offset)})
    if response.status_code != 302:
        raise RuntimeError(f"in-process log-in of {email} refused ({response.status_code})")
    return client


def http_login(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base_url}/inloggen", timeout=30).text
    response = session.post(
        f"{base_url}/inloggen",
        data={"csrf_token": csrf_token(form), "email": email, "password": _password()},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code == 302 and "/inloggen/code" in response.headers["Location"]:
        form = session.get(f"{base_url}/inloggen/code", timeout=30).text
        response = session.post(
            f"{base_url}/inloggen/code",
            data={"csrf_token": csrf_token(form), "code": _totp(0)},
            allow_redirects=False,
            timeout=30,
        )
    if response.status_code != 302:
        raise RuntimeError(f"log-in of {email} refused (status {response.status_code})")
    return session


def _password() -> str:
    from portal.devdata.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def emails(targets: Targets) -> dict[str, str]:
    return {
        PROVIDER: targets.provider_email,
        REVIEWER: targets.reviewer_email,
        MANAGER: targets.manager_email,
    }


# --- queries per page and their plans ----------------------------------------------------------


@contextmanager
def recording(app: Any) -> Iterator[list[tuple[str, Any]]]:
    from sqlalchemy import event

    from portal.extensions import db

    statements: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if not statement.lstrip().upper().startswith(NOISE):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_statements(
    app: Any, targets: Targets, code_offset: int, alone: dict[str, float]
) -> dict[str, list[tuple[str, Any]]]:
    """Each key page's SQL statements (the second request: the first warms caches), and in
    `alone` the median time of five more requests, one at a time, in this process."""
    clients = {PUBLIC: app.test_client()}
    for role, email in emails(targets).items():
        clients[role] = client_login(app, email, code_offset)
    result = {}
    for page in targets.pages():
        client = clients[page.role]
        client.get(page.url)
        with recording(app) as statements:
            response = client.get(page.url)
        if response.status_code != 200:
            raise RuntimeError(f"{page.name}: {page.url} gave {response.status_code}")
        result[page.name] = list(statements)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            client.get(page.url)
            times.append((time.perf_counter() - started) * 1000)
        alone[page.name] = statistics.median(times)
    return result


def _scans(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _big_scans(connection: Any, statement: str, parameters: Any, rows: dict[str, int]) -> set[str]:
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
    return {
        node["Relation Name"]
        for node in _scans(plan[0]["Plan"])
        if node["Node Type"] == "Seq Scan" and rows.get(node["Relation Name"], 0) > BIG_TABLE_ROWS
    }


def sequential_scans(
    app: Any, statements: dict[str, list[tuple[str, Any]]], rows: dict[str, int]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per page: the sequential scans of big tables in its statements' plans, as PostgreSQL
    chose them (reported), and those that remain when sequential scans are discouraged
    (`enable_seqscan = off`): a scan that stays has no index to use instead, so a filter or sort
    column lacks one (a failure). A scan that goes away was the planner's cheaper choice over an
    index that exists (reading a few hundred pages of a 36,000-row table can beat 400 index
    probes)."""
    from portal.extensions import db

    chosen: dict[str, list[str]] = {}
    unavoidable: dict[str, list[str]] = {}
    with db.engine.connect() as connection:
        for page, page_statements_ in statements.items():
            chosen[page], unavoidable[page] = [], []
            for statement, parameters in page_statements_:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                tables = _big_scans(connection, statement, parameters, rows)
                if not tables:
                    continue
                short = " ".join(statement.split())[:160]
                chosen[page] += [f"{t} ({rows[t]} rijen): {short}" for t in sorted(tables)]
                connection.exec_driver_sql("SET enable_seqscan = off")
                try:
                    remaining = _big_scans(connection, statement, parameters, rows)
                finally:
                    connection.exec_driver_sql("SET enable_seqscan = on")
                unavoidable[page] += [f"{t} ({rows[t]} rijen): {short}" for t in sorted(remaining)]
            connection.rollback()
    return chosen, unavoidable


# --- latency under load ------------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    milliseconds: float
    status: int
    queries: int | None
    app_ms: float | None


def _server_timing(header: str | None) -> float | None:
    for part in (header or "").split(","):
        name, *params = [p.strip() for p in part.split(";")]
        if name == "app":
            for param in params:
                if param.startswith("dur="):
                    return float(param[4:])
    return None


def load(
    base_url: str, targets: Targets, requests_per_page: int, concurrency: int, seed: int
) -> list[Sample]:
    logged_in = {PUBLIC: requests.Session()}
    for role, email in emails(targets).items():
        logged_in[role] = http_login(base_url, email)
    pages = targets.pages()
    schedule = [page for page in pages for _ in range(requests_per_page)]
    random.Random(seed).shuffle(schedule)
    # Warm-up, not counted: every page a few times, so each worker has imported its modules and
    # compiled its templates.
    warm_up: queue.Queue[Page] = queue.Queue()
    for page in pages * concurrency:
        warm_up.put(page)
    work: queue.Queue[Page] = queue.Queue()
    for page in schedule:
        work.put(page)
    samples: list[Sample] = []
    lock = threading.Lock()

    def client(jobs: queue.Queue[Page], keep: bool) -> None:
        # Each thread its own sessions (requests.Session is not thread-safe), same cookies.
        sessions = {}
        for role, shared in logged_in.items():
            own = requests.Session()
            own.cookies.update(shared.cookies)
            sessions[role] = own
        while True:
            try:
                page = jobs.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            response = sessions[page.role].get(
                base_url + page.url, allow_redirects=False, timeout=120
            )
            elapsed = (time.perf_counter() - started) * 1000
            if keep:
                count = response.headers.get("X-Query-Count")
                with lock:
                    samples.append(
                        Sample(
                            page.name,
                            elapsed,
                            response.status_code,
                            int(count) if count is not None else None,
                            _server_timing(response.headers.get("Server-Timing")),
                        )
                    )

    for jobs, keep in ((warm_up, False), (work, True)):
        threads = [threading.Thread(target=client, args=(jobs, keep)) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return samples


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- memory ------------------------------------------------------------------------------------


def _status_kb(pid: int, field_name: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise LookupError(field_name)


def worker_pids(master: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(entry))
    return sorted(children)


def upload_growth(base_url: str, master: int, email: str) -> dict[str, float]:
    """Peak resident size of the only worker before and after a 20 MB upload."""
    session = http_login(base_url, email)
    form = session.get(f"{base_url}/aanbieder/documenten", timeout=30).text
    select = form[form.index('name="evidence_type"') :]
    kinds = [
        k
        for k in re.findall(r'<option value="([a-z_]*)"', select[: select.index("</select>")])
        if k
    ]

    def post(size: int, name: str) -> None:
        body = b"%PDF-1.7\n" + os.urandom(size - 9)
        response = session.post(
            f"{base_url}/aanbieder/documenten",
            data={
                "csrf_token": csrf_token(form),
                "evidence_type": kinds[0],
                "issued_on": "2026-03-15",
            },
            files={"file": (name, body, "application/pdf")},
            allow_redirects=False,
            timeout=120,
        )
        if response.status_code != 302:
            errors = re.findall(r'class="field-error"[^>]*>(.*?)</p>', response.text, re.S)
            raise RuntimeError(f"upload of {size} bytes refused ({response.status_code}): {errors}")

    (worker,) = worker_pids(master)
    for n in range(3):  # warm: the upload path's modules, a small file
        post(200_000, f"opwarmen-{n}.pdf")
    before_peak = _status_kb(worker, "VmHWM")
    before_rss = _status_kb(worker, "VmRSS")
    post(UPLOAD_MB * 1024 * 1024, "groot-bestand.pdf")
    after_peak = _status_kb(worker, "VmHWM")
    after_rss = _status_kb(worker, "VmRSS")
    return {
        "peak_before_mb": before_peak / 1024,
        "peak_after_mb": after_peak / 1024,
        "peak_growth_mb": (after_peak - before_peak) / 1024,
        "rss_growth_mb": (after_rss - before_rss) / 1024,
    }


# --- the report --------------------------------------------------------------------------------


@dataclass
class PageResult:
    name: str
    url: str
    queries_small: int
    queries_large: int
    queries_under_load: list[int]
    alone_ms: float
    p50_ms: float
    p95_ms: float
    app_p50_ms: float
    app_p95_ms: float
    p50_ratio: float
    p95_ratio: float
    target_ratio: float | None
    sequential_scans: list[str] = field(default_factory=list)  # without an index to use
    chosen_scans: list[str] = field(default_factory=list)  # chosen by the planner
    failures: int = 0

    def problems(self) -> list[str]:
        found = []
        if self.name != "healthz":
            if self.queries_small != self.queries_large:
                found.append(
                    f"{self.name}: {self.queries_small} queries op schaal 0.1, "
                    f"{self.queries_large} op schaal 1"
                )
            if self.queries_large > MAX_QUERIES:
                found.append(f"{self.name}: {self.queries_large} queries (max {MAX_QUERIES})")
        if set(self.queries_under_load) - {self.queries_large}:
            found.append(
                f"{self.name}: onder belasting {sorted(set(self.queries_under_load))} queries, "
                f"in het proces {self.queries_large}"
            )
        if self.target_ratio is not None and self.p95_ratio > self.target_ratio:
            found.append(
                f"{self.name}: p95 {self.p95_ratio:.2f}x /healthz (max {self.target_ratio:g}x)"
            )
        found += [
            f"{self.name}: sequentiële scan zonder bruikbare index: {scan}"
            for scan in self.sequential_scans
        ]
        if self.failures:
            found.append(f"{self.name}: {self.failures} antwoorden niet 200")
        return found


COLUMNS = (
    "page",
    "queries 0.1",
    "queries 1",
    "p50 ms",
    "p95 ms",
    "p50 x healthz",
    "p95 x healthz",
    "target",
    "in worker p50/p95 ms",
    "alone ms",
    "seq scans (no index)",
)


def table_rows(results: list[PageResult]) -> list[tuple[str, ...]]:
    return [
        (
            r.name,
            str(r.queries_small),
            str(r.queries_large),
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.p50_ratio:.2f}",
            f"{r.p95_ratio:.2f}",
            f"≤ {r.target_ratio:g}x" if r.target_ratio else "",
            f"{r.app_p50_ms:.1f} / {r.app_p95_ms:.1f}",
            f"{r.alone_ms:.1f}",
            f"{len(r.chosen_scans)} ({len(r.sequential_scans)})",
        )
        for r in results
    ]


def text_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    lines = []
    for number, row in enumerate([COLUMNS, *rows]):
        lines.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[tuple[str, ...]]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|---" + "|---:" * (len(COLUMNS) - 1) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- the run -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_pages", description=__doc__)
    parser.add_argument("--requests", type=int, default=150, help="requests per page under load")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="clients at a time (default: 2 per worker)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scales",
        default=",".join(f"{s:g}" for s in SCALES),
        help="small,large (default 0.1,1)",
    )
    args = parser.parse_args(argv)
    small_scale, large_scale = (float(s) for s in args.scales.split(","))
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.support.pgserver import TemporaryPostgres

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    server_log = RESULTS_DIR / "gunicorn-pages.log"
    started = datetime.now(UTC)
    with workdir() as work, TemporaryPostgres(dbname="large") as pg:
        small_url = pg.create_database("small")
        environments = {
            small_scale: portal_environment(small_url, work / "small"),
            large_scale: portal_environment(pg.url, work / "large"),
        }
        counts: dict[float, dict[str, int]] = {}
        generated: dict[float, str] = {}
        for scale, env in environments.items():
            env["PORTAL_SERVER_TIMING"] = "1"
            generated[scale] = generate(env, scale, args.seed).strip()
            with portal_app(env) as app:
                from bench.targets import choose

                with app.app_context():
                    rows = analyze(app)
                    targets = choose()
                alone: dict[str, float] = {}
                statements = page_statements(app, targets, -1, alone)
                counts[scale] = {name: len(found) for name, found in statements.items()}
            say(f"schaal {scale:g}: queries per pagina {counts[scale]}")
        large_env = environments[large_scale]
        say(
            f"schaal {large_scale:g}: {rows.get('kpi_value', 0)} KPI-waarden, "
            f"{rows.get('application', 0)} aanmeldingen, {rows.get('evidence_document', 0)} bewijsstukken"
        )
        with portal_app(large_env) as app, app.app_context():
            chosen_scans, scans = sequential_scans(app, statements, rows)
        processes: list[subprocess.Popen] = []
        with gunicorn(large_env, args.workers, 1, server_log, processes) as base_url:
            say(f"belasting: {args.requests} verzoeken per pagina, {args.concurrency} tegelijk")
            load_started = time.monotonic()
            samples = load(base_url, targets, args.requests, args.concurrency, args.seed)
            load_seconds = time.monotonic() - load_started
            workers_mb = {
                pid: _status_kb(pid, "VmRSS") / 1024 for pid in worker_pids(processes[0].pid)
            }
            load_average = os.getloadavg()
        processes.clear()
        with gunicorn(large_env, 1, 1, RESULTS_DIR / "gunicorn-upload.log", processes) as base_url:
            upload = upload_growth(base_url, processes[0].pid, targets.provider_email)

    by_page: dict[str, list[Sample]] = {}
    for sample in samples:
        by_page.setdefault(sample.page, []).append(sample)
    health = [s.milliseconds for s in by_page["healthz"]]
    health_p50, health_p95 = percentile(health, 50), percentile(health, 95)
    results = []
    for page in targets.pages():
        mine = by_page[page.name]
        times = [s.milliseconds for s in mine]
        app_times = [s.app_ms for s in mine if s.app_ms is not None] or [0.0]
        p50, p95 = percentile(times, 50), percentile(times, 95)
        results.append(
            PageResult(
                name=page.name,
                url=page.url,
                queries_small=counts[small_scale][page.name],
                queries_large=counts[large_scale][page.name],
                queries_under_load=sorted({s.queries for s in mine if s.queries is not None}),
                alone_ms=alone[page.name],
                p50_ms=p50,
                p95_ms=p95,
                app_p50_ms=percentile(app_times, 50),
                app_p95_ms=percentile(app_times, 95),
                p50_ratio=p50 / health_p50,
                p95_ratio=p95 / health_p95,
                target_ratio=None
                if page.name == "healthz"
                else (KPI_RATIO if page.name == KPI_PAGE else P95_RATIO),
                sequential_scans=scans.get(page.name, []),
                chosen_scans=chosen_scans.get(page.name, []),
                failures=sum(1 for s in mine if s.status != 200),
            )
        )
    problems = [problem for r in results for problem in r.problems()]
    heaviest = max(workers_mb.values())
    if heaviest >= WORKER_MB:
        problems.append(f"een worker gebruikt {heaviest:.0f} MB (max {WORKER_MB} MB)")
    if upload["peak_growth_mb"] >= UPLOAD_GROWTH_MB:
        problems.append(
            f"een upload van {UPLOAD_MB} MB liet de worker {upload['peak_growth_mb']:.1f} MB "
            f"groeien (max {UPLOAD_GROWTH_MB} MB)"
        )

    rows_table = table_rows(results)
    summary = [
        f"Scale {large_scale:g}: {rows.get('organisation', 0)} organisations, "
        f"{rows.get('application', 0)} applications, {rows.get('answer', 0)} answers, "
        f"{rows.get('evidence_document', 0)} evidence records, "
        f"{rows.get('framework_agreement', 0)} agreements, {rows.get('kpi_value', 0)} KPI values "
        f"({targets.kpi_values_of_agreement} for the measured agreement).",
        f"Load: {len(samples)} requests in {load_seconds:.0f} s, {args.concurrency} clients, "
        f"gunicorn {args.workers} sync workers; load average afterwards "
        + ", ".join(f"{x:.2f}" for x in load_average)
        + f"; /healthz p50 {health_p50:.1f} ms, p95 {health_p95:.1f} ms.",
        "Worker memory after the load (RSS): "
        + ", ".join(f"{mb:.0f} MB" for mb in workers_mb.values())
        + f" (target < {WORKER_MB} MB).",
        f"{UPLOAD_MB} MB upload on a one-worker server: peak RSS {upload['peak_before_mb']:.0f} → "
        f"{upload['peak_after_mb']:.0f} MB (+{upload['peak_growth_mb']:.1f} MB; RSS "
        f"{upload['rss_growth_mb']:+.1f} MB; target < {UPLOAD_GROWTH_MB} MB).",
    ]
    report = {
        "started": started.isoformat(),
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "scales": [small_scale, large_scale],
        "rows": rows,
        "targets": asdict(targets),
        "settings": vars(args),
        "healthz_ms": {"p50": health_p50, "p95": health_p95},
        "pages": [asdict(r) for r in results],
        "workers_mb": list(workers_mb.values()),
        "upload": upload,
        "load_seconds": load_seconds,
        "load_average": load_average,
        "generated": {str(scale): text for scale, text in generated.items()},
        "problems": problems,
    }
    (RESULTS_DIR / "pages.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    markdown = "\n\n".join(
        [
            f"# Page benchmark ({started:%Y-%m-%d %H:%M} UTC, commit {report['commit']})",
            *summary,
            markdown_table(rows_table),
            "Sequential scans of tables over 10,000 rows that PostgreSQL chose (each also planned "
            "with `enable_seqscan = off`; in brackets in the table: those that then remain, i.e. "
            "have no index to use):\n"
            + (
                "\n".join(f"- {r.name}: {scan}" for r in results for scan in r.chosen_scans)
                or "- none"
            ),
            "Targets missed: " + ("none" if not problems else "\n- " + "\n- ".join(problems)),
        ]
    )
    (RESULTS_DIR / "pages.md").write_text(markdown + "\n", encoding="utf-8")
    print()
    print(text_table(rows_table))
    print()
    for line in summary:
        print(line)
    print()
    if problems:
        print("Doelen niet gehaald:")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print("Alle doelen gehaald.")
    say("bench/results/pages.json en pages.md geschreven")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
