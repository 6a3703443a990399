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
# The suite runs in parallel (pytest-xdist): one worker per CPU, each with its own test database
# (and, for the browser tests, its own live server on a free port and its own Chromium).
# `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(RUN) pytest -n $(PYTEST_WORKERS)

.PHONY: help install messages lint fmt migrate seed demo-accounts demo-data run test-tools journeys test test-sqlite test-postgres test-stack

help:
	@echo "make run            install, migrate, seed, create demo accounts, load demo data, serve on http://$(ADDR)/"
	@echo "make test           install, lint, then the whole test suite on SQLite and on PostgreSQL 15"
	@echo "make install | lint | fmt | migrate | seed | demo-accounts | demo-data | test-sqlite | test-postgres | test-stack"
	@echo "make demo-data      load the demonstration data set (manage.py remove_demo_data removes it)"
	@echo "make messages       update the translation catalogues (locale/*/LC_MESSAGES/django.po) from the code"

install:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || { \
		echo "Installing uv (python3 -m pip install uv)…"; \
		$(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv \
		|| { echo "Could not install uv: install pip (apt-get install python3-pip) or uv itself," \
			"see https://docs.astral.sh/uv/" >&2; exit 1; }; }
	$(UV) sync --locked
	@# The compiled catalogues (.mo) are built here, never committed: every target that serves or
	@# tests the site goes through install.
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# After marking new strings: the catalogues, without line references (so merges stay small). Commit the
# .po files; tests/test_translations.py fails when they are out of date with the code.
MESSAGES_LANGUAGES := ru fa
messages: install
	$(MANAGE) makemessages $(addprefix -l ,$(MESSAGES_LANGUAGES)) --no-location \
		--ignore "tests/*" --ignore "scripts/*" --ignore "staticfiles/*" --ignore "media/*"

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

# The demonstration data set (development only; `manage.py remove_demo_data` removes it).
demo-data: demo-accounts
	$(MANAGE) load_demo_data

run: demo-data
	@echo
	@echo "  Strategy tracker:  http://$(ADDR)/"
	@echo "  Admin:             http://$(ADDR)/admin/"
	@echo "  Log in with a demo account listed above (local development only). Ctrl-C stops the server."
	@echo
	$(MANAGE) runserver $(ADDR)

test-tools:
	@scripts/ensure-test-tools.sh
	@scripts/ensure-axe.sh

# The browser journeys alone (tests/journeys/), screenshots of a failing step in $JOURNEY_ARTIFACTS (default /tmp/journeys).
journeys: install test-tools
	env -u DATABASE_URL $(RUN) pytest -n 0 -p no:cacheprovider tests/journeys $(PYTEST_ARGS)

# pytest exits 5 when it collects no tests; like any other non-zero code, that fails the target.
# The test targets ignore any DATABASE_URL from the caller's shell so they test what they say.
test-sqlite: install test-tools
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

# The browser tests (marked `browser`: Chromium renders the pages a live server sends) run in the SQLite
# phase only: they check what the browser does with the HTML, which is the same whichever database the
# view read; every view and query they pass through is also tested on PostgreSQL with Django's client.
test-postgres: install test-tools
	@echo "== tests on PostgreSQL 15 =="
	env -u DATABASE_URL scripts/postgres.sh run -- $(PYTEST) -m "not browser" $(PYTEST_ARGS)

# The production stack on loopback (PostgreSQL primary + replica, Redis, gunicorn, worker, scheduler,
# nginx with TLS), driven over HTTPS and then broken on purpose; see scripts/prod-stack.sh.
test-stack: install
	@echo "== production stack =="
	env -u DATABASE_URL scripts/prod-stack.sh run -- $(RUN) pytest -p no:cacheprovider -q -s tests/stack

test: lint test-sqlite test-postgres test-stack
