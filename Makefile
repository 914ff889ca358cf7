# DAS-portaal. Two commands: `make run` (demo on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
# `make run` and its steps are development (the job queue's worker runs inside the server,
# on a SQLite queue in instance/): the portal then accepts its public default secret key
# and address (it refuses them anywhere else; README, "Security").
DEV := PORTAL_DEVELOPMENT=1

.PHONY: run test test-sqlite test-postgresql install translations i18n-check i18n-update system-deps lint db demo clean bench bench-load

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The compiled catalogues (.mo) are built here, never committed.
translations: install
	$(BIN)/python scripts/i18n.py compile

# After changing interface text: `make i18n-update`, translate the new English entries, then check.
i18n-update: install
	$(BIN)/python scripts/i18n.py update

i18n-check: install
	$(BIN)/python scripts/i18n.py check

db: translations
	$(DEV) $(FLASK) db upgrade

demo: db
	$(DEV) $(FLASK) seed-demo

run: demo
	$(DEV) PORTAL_SESSION_COOKIE_SECURE=0 PORTAL_JOBS_EMBEDDED_WORKER=1 $(FLASK) run --host 127.0.0.1 --port 5000

# Debian packages the tests need (PostgreSQL server, Chromium); installs only what is missing.
system-deps:
	bash scripts/system-deps.sh

# bandit, ruff, mypy, import-linter, then the suite on SQLite and on PostgreSQL at the same time
# (scripts/test.sh).
test: translations system-deps
	bash scripts/test.sh

test-sqlite: translations
	$(BIN)/pytest --db sqlite -n 2

test-postgresql: translations system-deps
	$(BIN)/pytest --db postgresql -n 2

# Benchmarks (bench/README.md); not part of `make test` or CI.
# `make bench`: the page benchmark of issue 10. A throwaway PostgreSQL server with the national-scale
# data set at scale 0.1 and 1, queries per key page at both, p50/p95 latency under concurrent
# requests as ratios to /healthz (gunicorn, 4 workers), worker memory, a 20 MB upload, query plans.
# Writes bench/results/pages.json and pages.md; exits 1 when a target is missed.
# `make bench-load`: 200 Locust users for 60 seconds through mixed journeys on the demo data.
$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench: translations system-deps $(VENV)/.installed-bench
	$(BIN)/python -m bench.run_pages

bench-load: translations system-deps $(VENV)/.installed-bench
	$(BIN)/python -m bench.run_load

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/bandit --quiet --severity-level medium --recursive portal

clean:
	rm -rf $(VENV) build *.egg-info
