# Trackr developer commands. `make run` needs only Python 3.11: with DATABASE_URL and
# REDIS_URL unset it starts an embedded PostgreSQL and Redis in DATA_DIR (.trackr-data/).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: the venv is rebuilt only when pyproject.toml changes.
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := run
.PHONY: .venv run test lint openapi migrate bench

.venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(STAMP)

# API + worker (+ embedded servers, migrations, demo data) until Ctrl-C.
run: .venv
	$(BIN)/python -m devtools.cli run

test: .venv
	$(BIN)/pytest -q

lint: .venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Writes openapi/openapi.json from the code.
openapi: .venv
	$(BIN)/python -m devtools.contract

# alembic upgrade head (on the embedded database when DATABASE_URL is unset).
migrate: .venv
	$(BIN)/python -m devtools.cli migrate

# Load benchmark of the customer and order APIs against their floor (seeds 1M customers on
# first run; not part of CI), the export, the scale-out run (uvicorn and granian, 1 and 2
# processes behind one port) and the reminder scan, then Stripe webhook ingest and the
# worker, then the schedule list over 100,000 appointments, geofence evaluation
# (positions/s with 10,000 fences, beside the raw candidate query) and public order form
# submissions. Results go to bench/results/; `python -m bench.run --help` (or
# bench.webhooks, bench.schedule, bench.geofences, bench.submissions) for a part of it.
bench: .venv
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.webhooks
	$(BIN)/python -m bench.schedule
	$(BIN)/python -m bench.geofences
	$(BIN)/python -m bench.submissions
