"""The load test: `make bench` (or `.venv/bin/python -m bench.run_load --help`).

A fresh database with the demo data and one account per simulated provider and reviewer, the
portal under gunicorn on loopback, then Locust headless with mixed journeys
(bench/locustfile.py): by default 200 users for 60 seconds. Prints requests, failures,
requests per second and the 50th/95th/99th percentile per endpoint and per group, writes them
to bench/results/load.json and load.md, and exits 1 when any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import accounts
from bench.harness import (
    BIN,
    GENEROUS_RATE_LIMITS,
    PROJECT_ROOT,
    RESULTS_DIR,
    fresh_database,
    git_commit,
    gunicorn,
    portal_environment,
    prepare,
    say,
    server_times,
    workdir,
)

COLUMNS = ("requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms")


def _row(name: str, figures: dict) -> tuple[str, ...]:
    return (
        name,
        str(figures["requests"]),
        str(figures["failures"]),
        f"{figures['requests_per_second']:.1f}",
        str(round(figures["median_ms"] or 0)),
        str(round(figures["p95_ms"] or 0)),
        str(round(figures["p99_ms"] or 0)),
    )


def rows(stats: dict) -> list[tuple[str, ...]]:
    """Each endpoint, grouped, with its group's totals under it, and the total last."""
    result = []
    for group, figures in stats["groups"].items():
        for name, endpoint in stats["endpoints"].items():
            if name.split(" ", 1)[1].startswith(f"{group}:"):
                result.append(_row(f"  {name}", endpoint))
        result.append(_row(f"{group} (groep)", figures))
    result.append(_row("TOTAAL", stats["total"]))
    return result


def text_table(table: list[tuple[str, ...]]) -> str:
    header = ("endpoint", *COLUMNS)
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    lines = []
    for number, row in enumerate([header, *table]):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(table: list[tuple[str, ...]]) -> str:
    lines = ["| endpoint | " + " | ".join(COLUMNS) + " |", "|---" + "|---:" * len(COLUMNS) + "|"]
    for row in table:
        name = row[0].strip()
        name = f"**{name}**" if not row[0].startswith("  ") else name
        lines.append(f"| {name} | " + " | ".join(row[1:]) + " |")
    return "\n".join(lines)


def _server_errors(log_path: Path) -> int:
    """Tracebacks the workers logged: a 500 shows up here even if a check missed it."""
    try:
        return log_path.read_text(errors="replace").count("Traceback (most recent call last)")
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_load", description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--duration", default="60s", help="Locust notation: 60s, 2m")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (more than 1: gthread)"
    )
    parser.add_argument(
        "--db",
        choices=("postgresql", "sqlite"),
        default=os.environ.get("BENCH_DB", "postgresql"),
        help="ignored when BENCH_DATABASE_URL is set",
    )
    args = parser.parse_args(argv)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    server_log = RESULTS_DIR / "gunicorn.log"
    locust_log = RESULTS_DIR / "locust.log"
    providers, reviewers = accounts.accounts_needed(args.users)
    with workdir() as work, fresh_database(args.db, work) as (database_url, database):
        say(f"database: {database}")
        env = portal_environment(database_url, work)
        say(
            "snelheidslimieten per adres ruim gezet voor de test (alle gebruikers komen van "
            "127.0.0.1): " + ", ".join(f"{k}={v!r}" for k, v in GENEROUS_RATE_LIMITS.items())
        )
        prepare(env, providers, reviewers)
        with gunicorn(env, args.workers, args.threads, server_log) as base_url:
            stats_path = work / "stats.json"
            say(
                f"Locust: {args.users} gebruikers (+{args.spawn_rate:g}/s), {args.duration}, "
                f"log {locust_log.relative_to(PROJECT_ROOT)}"
            )
            with open(locust_log, "w", encoding="utf-8") as log:
                locust = subprocess.run(
                    [
                        str(BIN / "locust"),
                        "-f",
                        str(PROJECT_ROOT / "bench" / "locustfile.py"),
                        "--headless",
                        "--users",
                        str(args.users),
                        "--spawn-rate",
                        str(args.spawn_rate),
                        "--run-time",
                        args.duration,
                        "--host",
                        base_url,
                        "--csv",
                        str(RESULTS_DIR / "load"),
                        "--only-summary",
                    ],
                    env={
                        **os.environ,
                        "PYTHONPATH": str(PROJECT_ROOT),
                        "BENCH_LOAD_STATS": str(stats_path),
                    },
                    cwd=PROJECT_ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if not stats_path.exists():
                print(locust_log.read_text(errors="replace")[-4000:])
                say(f"Locust schreef geen cijfers (exit {locust.returncode})")
                return 2
            stats = json.loads(stats_path.read_text())
    tracebacks = _server_errors(server_log)
    in_worker = sorted(server_times(server_log))
    worker_ms = {
        "requests": len(in_worker),
        "p50_ms": in_worker[len(in_worker) // 2] if in_worker else None,
        "p95_ms": in_worker[int(len(in_worker) * 0.95)] if in_worker else None,
        "p99_ms": in_worker[int(len(in_worker) * 0.99)] if in_worker else None,
    }

    table = rows(stats)
    run = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "duration": args.duration,
        "think_time_seconds": "2-6",
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "database": database,
        "accounts": {"providers": providers, "reviewers": reviewers},
        "rate_limits_per_address": GENEROUS_RATE_LIMITS,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
        "server_tracebacks": tracebacks,
        "time_in_worker": worker_ms,
    }
    (RESULTS_DIR / "load.json").write_text(
        json.dumps({"run": run, **stats}, indent=2) + "\n", encoding="utf-8"
    )
    failed = stats["total"]["failures"]
    summary = (
        f"{args.users} gebruikers, {args.duration}, gunicorn {args.workers} workers"
        f"{f' x {args.threads} threads' if args.threads > 1 else ''}, {database}, "
        f"{os.cpu_count()} CPU's (load average {os.getloadavg()[0]:.1f}), commit {run['commit']}"
    )
    worker_line = (
        f"Tijd in de worker (gunicorn, zonder wachtrij): p50 {worker_ms['p50_ms']} ms, "
        f"p95 {worker_ms['p95_ms']} ms, p99 {worker_ms['p99_ms']} ms "
        f"over {worker_ms['requests']} verzoeken."
    )
    errors = "\n".join(
        f"- {f['occurrences']}x {f['method']} {f['name']}: {f['error']}" for f in stats["failures"]
    )
    (RESULTS_DIR / "load.md").write_text(
        f"# Belastingtest {run['when']}\n\n{summary}. Denktijd 2-6 s per pagina.\n"
        f"Snelheidslimieten per adres ruim gezet (alle gebruikers op 127.0.0.1).\n\n"
        f"{markdown_table(table)}\n\n{worker_line}\n\n"
        + (f"## Fouten\n\n{errors}\n" if errors else "Geen fouten.\n"),
        encoding="utf-8",
    )

    print()
    print(f"Belastingtest: {summary}")
    print(text_table(table))
    print(worker_line)
    if errors:
        print("\nFouten:\n" + errors)
    if tracebacks:
        print(f"\nLet op: {tracebacks} traceback(s) in {server_log.relative_to(PROJECT_ROOT)}")
    print("\nCijfers: bench/results/load.json en bench/results/load.md")
    if failed or tracebacks:
        say(f"MISLUKT: {failed} verzoek(en) mislukt")
        return 1
    say("geslaagd: geen enkel verzoek mislukt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
