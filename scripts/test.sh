#!/usr/bin/env bash
# `make test`: static checks, then the suite on SQLite and on PostgreSQL side by side.
#
# The two runs share nothing (each has its own databases, evidence folders, SMTP sinks and servers
# on free ports), and each has PYTEST_WORKERS workers (pytest-xdist, default 2: on a 2-core machine
# four workers keep both cores busy while some wait for a database, a browser or a server process;
# measured against 3 each, and against the two runs one after the other with 2 or 3). Workers take
# whole files (`--dist loadfile` in pyproject.toml). Browser tests and fuzzing run in the
# PostgreSQL run only (README, "The test suite"). Each run's output goes to its own log, printed
# whole when both have ended, so the two never interleave.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/bandit --quiet --severity-level medium --recursive portal || exit 1
$BIN/ruff check . || exit 1
$BIN/ruff format --check . || exit 1
$BIN/mypy || exit 1  # types: [tool.mypy] in pyproject.toml
$BIN/lint-imports --no-logo || exit 1  # the layers and no cycles: [tool.importlinter]

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
workers=${PYTEST_WORKERS:-2}
$BIN/pytest --db sqlite -n "$workers" "$@" >"$logs/sqlite.log" 2>&1 &
sqlite=$!
$BIN/pytest --db postgresql -n "$workers" "$@" >"$logs/postgresql.log" 2>&1 &
postgresql=$!
wait $sqlite; sqlite_rc=$?
wait $postgresql; postgresql_rc=$?

for db in sqlite postgresql; do
    echo "===== pytest --db $db ====="
    cat "$logs/$db.log"
done
echo "===== SQLite: exit $sqlite_rc; PostgreSQL: exit $postgresql_rc ====="
[ "$sqlite_rc" -eq 0 ] && [ "$postgresql_rc" -eq 0 ]
