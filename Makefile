# The README's two commands are `make run` and `make test`; every target does its own set-up,
# so each works on a fresh clone. See .env.example for the settings' environment variables.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# `make test` runs its phases in order even under `make -j`: lint, SQLite, then PostgreSQL.
.NOTPARALLEL:

PYTHON ?= python3
# A uv installed by `pip install uv` may land outside PATH (pip --user); `python3 -m uv` still finds it.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
# After `uv sync --locked` the environment is exact; --no-sync stops `uv run` re-resolving each time.
RUN := $(UV) run --no-sync
# Development commands run with DEBUG on; the settings refuse to start without a secret key otherwise.
MANAGE := DJANGO_DEBUG=1 $(RUN) python manage.py
ADDR ?= 127.0.0.1:8000
# Extra pytest arguments, e.g. `make test-sqlite PYTEST_ARGS="-k demo -x"`.
PYTEST_ARGS ?=

.PHONY: help install lint fmt migrate seed demo-accounts run chromium test test-sqlite test-postgres

help:
	@echo "make run            install, migrate, seed, create demo accounts and serve on http://$(ADDR)/"
	@echo "make test           install, lint, then the whole test suite on SQLite and on PostgreSQL 15"
	@echo "make install | lint | fmt | migrate | seed | demo-accounts | test-sqlite | test-postgres"

install:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || { \
		echo "Installing uv (python3 -m pip install uv)…"; \
		$(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv \
		|| { echo "Could not install uv: install pip (apt-get install python3-pip) or uv itself," \
			"see https://docs.astral.sh/uv/" >&2; exit 1; }; }
	$(UV) sync --locked

lint: install
	@echo "== lint =="
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

fmt: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

migrate: install
	$(MANAGE) migrate --no-input

seed: migrate
	$(MANAGE) seed

demo-accounts: seed
	$(MANAGE) create_demo_accounts

run: demo-accounts
	@echo
	@echo "  Strategy tracker:  http://$(ADDR)/"
	@echo "  Admin:             http://$(ADDR)/admin/"
	@echo "  Log in with a demo account listed above (local development only). Ctrl-C stops the server."
	@echo
	$(MANAGE) runserver $(ADDR)

chromium:
	@scripts/ensure-chromium.sh

# pytest exits 5 when it collects no tests; like any other non-zero code, that fails the target.
# The test targets ignore any DATABASE_URL from the caller's shell so they test what they say.
test-sqlite: install chromium
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(RUN) pytest $(PYTEST_ARGS)

test-postgres: install chromium
	@echo "== tests on PostgreSQL 15 =="
	env -u DATABASE_URL scripts/postgres.sh run -- $(RUN) pytest $(PYTEST_ARGS)

test: lint test-sqlite test-postgres
