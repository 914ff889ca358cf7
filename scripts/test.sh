#!/usr/bin/env bash
# `make test`: the static checks and the suite on SQLite and on PostgreSQL, all side by side.
#
# The two runs share nothing (each has its own databases, evidence folders, SMTP sinks and servers
# on free ports). Workers (pytest-xdist): SQLITE_WORKERS and POSTGRESQL_WORKERS (default 2 each;
# PYTEST_WORKERS sets both). Four workers keep the 2 cores busy while some wait for a database, a
# browser or a server process; 1 + 3 was measured no faster (the PostgreSQL run, which carries
# the browser journeys and fuzzing, took as long with 3 as with 2 on a busy machine). Workers take whole files
# (`--dist loadfile` in pyproject.toml). Tests that ask for no database (`database_independent`,
# tests/conftest.py) run in the SQLite run only: the PostgreSQL run would repeat them exactly.
# The static checks (a quarter of a minute) run beside the two, not before them. Each part's
# output goes to its own log, printed whole when all have ended, so they never interleave.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
sqlite_workers=${SQLITE_WORKERS:-${PYTEST_WORKERS:-2}}
postgresql_workers=${POSTGRESQL_WORKERS:-${PYTEST_WORKERS:-2}}
(
    set -e
    $BIN/bandit --quiet --severity-level medium --recursive portal
    $BIN/ruff check .
    $BIN/ruff format --check .
    $BIN/mypy  # types: [tool.mypy] in pyproject.toml
    $BIN/lint-imports --no-logo  # the layers and no cycles: [tool.importlinter]
) >"$logs/static.log" 2>&1 &
static=$!
$BIN/pytest --db sqlite -n "$sqlite_workers" "$@" >"$logs/sqlite.log" 2>&1 &
sqlite=$!
$BIN/pytest --db postgresql -n "$postgresql_workers" -m "not database_independent" "$@" \
    >"$logs/postgresql.log" 2>&1 &
postgresql=$!
wait $static; static_rc=$?
wait $sqlite; sqlite_rc=$?
wait $postgresql; postgresql_rc=$?

echo "===== static checks (bandit, ruff, mypy, lint-imports) ====="
cat "$logs/static.log"
for db in sqlite postgresql; do
    echo "===== pytest --db $db ====="
    cat "$logs/$db.log"
done
echo "===== static checks: exit $static_rc; SQLite: exit $sqlite_rc; PostgreSQL: exit $postgresql_rc ====="
[ "$static_rc" -eq 0 ] && [ "$sqlite_rc" -eq 0 ] && [ "$postgresql_rc" -eq 0 ]
