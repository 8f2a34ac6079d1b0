# mdtboard — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: run test lint typecheck imports alembic-check pytest bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstalled only when pyproject.toml changes: quick when already installed.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	$(BIN)/python -m compileall -q mdtboard
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q mdtboard
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/mdtboard --demo demo --if-missing
	$(BIN)/mdtboard --demo

test: $(VENV)/.installed-test
	$(MAKE) --no-print-directory lint typecheck imports alembic-check pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check mdtboard tests migrations benchmarks docs
	$(BIN)/ruff format --check mdtboard tests migrations benchmarks docs

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy mdtboard

imports: $(VENV)/.installed-test
	$(BIN)/lint-imports

# Models and migrations must never drift: upgrade a scratch database, then compare.
alembic-check: $(VENV)/.installed-test
	@tmp=$$(mktemp -d); \
	export MDTBOARD_DB=$$tmp/check.db MDTBOARD_AUDIT_KEY_FILE=$$tmp/audit.key; \
	$(BIN)/alembic upgrade head && $(BIN)/alembic check; rc=$$?; rm -rf $$tmp; exit $$rc

# The database tests run on SQLite and on a throwaway PostgreSQL server (.ci/postgres.sh),
# unless MDTBOARD_TEST_PG_URL already names one.
pytest: $(VENV)/.installed-test
	@started=""; \
	if [ -z "$$MDTBOARD_TEST_PG_URL" ]; then \
		if source .ci/postgres.sh start; then started=1; \
		else echo "no PostgreSQL server could be started: its tests will be skipped (fail in CI)"; fi; \
	fi; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ -n "$$started" ]; then bash .ci/postgres.sh stop; fi; \
	exit $$rc

bench: $(VENV)/.installed-test
	@started=""; \
	if [ -z "$$MDTBOARD_TEST_PG_URL" ] && source .ci/postgres.sh start; then started=1; fi; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py $(BENCH_ARGS); rc=$$?; \
	if [ -n "$$started" ]; then bash .ci/postgres.sh stop; fi; \
	exit $$rc

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist
