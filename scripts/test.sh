#!/usr/bin/env bash
# `make test`: static checks, then the suite on SQLite and on PostgreSQL side by side.
#
# The two runs share nothing (each has its own database, evidence folder, SMTP sink and servers on
# free ports), and each leaves a core partly idle while it waits for its database or browser, so
# together they take little longer than the PostgreSQL run alone. Each run's output goes to its
# own log, printed whole when both have ended, so the two never interleave.
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
$BIN/pytest --db sqlite "$@" >"$logs/sqlite.log" 2>&1 &
sqlite=$!
$BIN/pytest --db postgresql "$@" >"$logs/postgresql.log" 2>&1 &
postgresql=$!
wait $sqlite; sqlite_rc=$?
wait $postgresql; postgresql_rc=$?

for db in sqlite postgresql; do
    echo "===== pytest --db $db ====="
    cat "$logs/$db.log"
done
echo "===== SQLite: exit $sqlite_rc; PostgreSQL: exit $postgresql_rc ====="
[ "$sqlite_rc" -eq 0 ] && [ "$postgresql_rc" -eq 0 ]
