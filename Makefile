# TậnTay — the two commands a newcomer needs: `make run` and `make test`.
# Every target installs what is missing first, so both work on a fresh clone.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000
# The address printed in QR labels and links: the one `make run` serves on, unless set.
BASE_URL ?= http://$(HOST):$(PORT)
# SQLite has one writer at a time: one process with threads is its fastest safe shape (the
# writers queue on an in-process lock instead of the busy handler; bench/sync_bench.py measured
# 1×8 ahead of 2×4). PostgreSQL takes several writers, so there several processes share the cores.
ifneq ($(filter postgres%,$(DATABASE_URL)),)
WORKERS ?= 2
THREADS ?= 4
else
WORKERS ?= 1
THREADS ?= 8
endif
# The PostgreSQL leg of `make test`; under CI=true an unreachable server fails the run.
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/build.mjs pwa/package-lock.json

.PHONY: run test lint install install-test pwa chromium test-pwa test-sqlite test-postgres bench clean

## make run: install, migrate, seed the demo on first run, print the logins, serve.
run: install pwa
	@mkdir -p instance
	$(FLASK) db upgrade
	BASE_URL=$(BASE_URL) $(FLASK) seed-demo --if-empty
	@echo "TậnTay is at $(BASE_URL)/ (field app) · $(BASE_URL)/supervisor (dashboard) · $(BASE_URL)/t/ (public tracking)"
	BASE_URL=$(BASE_URL) $(VENV)/bin/gunicorn --workers $(WORKERS) --worker-class gthread --threads $(THREADS) \
		--bind $(HOST):$(PORT) --access-logfile - wsgi:app

## make test: install the test tools and Chromium, then lint, then the whole suite on SQLite and
## PostgreSQL.
test: install-test pwa chromium
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-pwa
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

## make lint: ruff (style, likely bugs) and mypy (types), both set in pyproject.toml; any finding fails.
lint: install-test
	@echo "== lint (ruff) and types (mypy) =="
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy

test-pwa:
	@echo "== field app unit tests (node --test) =="
	cd pwa && npm test --silent

test-sqlite:
	@echo "== test suite on SQLite =="
	PASSWORD_HASH_FAST=1 $(PY) -m pytest tests -q

test-postgres:
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(TEST_POSTGRES_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== test suite on PostgreSQL ($(TEST_POSTGRES_URL)) =="; \
		TEST_DATABASE_URL=$(TEST_POSTGRES_URL) PASSWORD_HASH_FAST=1 $(PY) -m pytest tests/api tests/e2e tests/migrations tests/faults -q; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL at $(TEST_POSTGRES_URL) is unreachable: under CI this is a failure, not a skip." >&2; exit 1; \
	else \
		echo "!! PostgreSQL at $(TEST_POSTGRES_URL) is unreachable: PostgreSQL leg NOT run (set TEST_POSTGRES_URL)." >&2; \
	fi

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	@touch $@

install-test: $(VENV)/.test-installed

$(VENV)/.test-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

pwa: pwa/dist/.built

pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund
	@touch $@

pwa/dist/.built: pwa/node_modules/.installed $(PWA_SOURCES) server/custody/schemas.py | install
	$(PY) -m server.custody.field_limits > pwa/src/limits.json
	cd pwa && npm run build
	@touch $@

## Debian's system tools the tests call: Chromium for the browser tests (Playwright drives it;
## no browser download) and poppler-utils (pdftotext, pdftoppm) to read printed PDFs back.
SYSTEM_TOOLS := chromium:chromium pdftotext:poppler-utils pdftoppm:poppler-utils
chromium:
	@missing=$$(for pair in $(SYSTEM_TOOLS); do command -v $${pair%%:*} >/dev/null 2>&1 || echo $${pair#*:}; done | sort -u); \
	if [ -n "$$missing" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "Installing Debian packages: $$missing"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## make bench: every benchmark, one table (bench/results/latest.json too); never fails on a number.
## PostgreSQL legs use the SCRATCH database BENCH_POSTGRES_URL (its public schema is rebuilt).
BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/bench
BENCH_ARGS ?=
bench: install-test pwa chromium
	BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) $(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist
