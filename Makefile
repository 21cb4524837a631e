# The front door. `make run` and `make test` do all set-up themselves.
SHELL := /bin/bash
PYTHON ?= python3
# Development and tests: .venv, from requirements-dev.lock (production's pins plus the
# test and lint tools). Production (`make serve`): .venv-prod, exactly requirements.lock.
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
PIDFILE ?= $(PROD_VENV)/gunicorn-$(PORT).pid
MANAGE := $(BIN)/python manage.py
PROD_VENV := .venv-prod
PROD_STAMP := $(PROD_VENV)/.installed
PROD_MANAGE := $(PROD_VENV)/bin/python manage.py

.DEFAULT_GOAL := help
.PHONY: translations help install install-prod run serve reload chaos test test-browser docs-screenshots lighthouse lint format bench audit lock migrate content clean worker backup-restore-check staff

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Development's virtualenv is filled by uv (pinned in requirements-dev.lock, installed by
# pip first): the same locked list, --no-deps, in about 2 s instead of pip's 40, which is
# most of a fresh `make test`'s set-up and of CI's. Production's (.venv-prod, below) is
# built by pip, as docs/deployment.md does on a server. Neither upgrades pip first: the
# pip that comes with Python 3.11 installs a locked list as well as the newest, and the
# upgrade cost about ten seconds of CPU per virtualenv. `make lock` resolves with the
# newest pip.
UV_INSTALL = $(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps
$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps "$$(grep -i '^uv==' requirements-dev.lock)"
	@# From uv's cache alone when every pinned file is there (under a second); else from the
	@# index, which can take half a minute just to revalidate the cache over a slow network.
	$(UV_INSTALL) --offline -r requirements-dev.lock 2>/dev/null || $(UV_INSTALL) -r requirements-dev.lock
	$(UV_INSTALL) --offline -e . 2>/dev/null || $(UV_INSTALL) -e .
	$(BIN)/uv pip check --python $(BIN)/python --quiet
	touch $(STAMP)

# Exactly the locked production set: --no-deps, so nothing is resolved from the ranges
# in pyproject.toml and no test or lint tool is installed. Built afresh whenever the lock
# changes, so no package an older lock named stays behind.
$(PROD_STAMP): pyproject.toml requirements.lock
	rm -rf $(PROD_VENV)
	$(PYTHON) -m venv $(PROD_VENV)
	$(PROD_VENV)/bin/python -m pip install --quiet --no-deps -r requirements.lock
	$(PROD_VENV)/bin/python -m pip install --quiet --no-deps .
	$(PROD_VENV)/bin/python -m pip check
	touch $(PROD_STAMP)

install: $(STAMP)

install-prod: $(PROD_STAMP) ## Production's virtualenv (.venv-prod): exactly requirements.lock

migrate: $(STAMP)
	DEBUG=$${DEBUG-1} $(MANAGE) migrate --noinput
	DEBUG=$${DEBUG-1} $(MANAGE) setup_roles

content: migrate
	DEBUG=$${DEBUG-1} $(MANAGE) import_content

run: content ## Set up everything and serve the site at http://127.0.0.1:8000 (SQLite)
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop). Email goes to this console."
	@trap 'kill 0' EXIT; \
	export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	DEBUG=1 $(MANAGE) task_worker --interval 2 & \
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

serve: ## Production settings under gunicorn on 127.0.0.1:8000 behind the TLS proxy (needs SECRET_KEY)
	@test -n "$${SECRET_KEY-}" || { echo "make serve: SECRET_KEY is not set. Production refuses to start without it: set SECRET_KEY to a long random string (README.md, Configuration)." >&2; exit 1; }
	$(MAKE) --no-print-directory $(PROD_STAMP)
	DEBUG=0 $(PROD_MANAGE) migrate --noinput
	DEBUG=0 $(PROD_MANAGE) collectstatic --noinput --verbosity 0
	DEBUG=0 $(PROD_MANAGE) write_outage_page --verbosity 0
	DEBUG=0 $(PROD_MANAGE) import_content
	DEBUG=0 $(PROD_MANAGE) setup_roles
	@echo "Serving on 127.0.0.1:$(PORT) for the TLS proxy (Ctrl-C to stop: requests in flight finish first)."
	@# gunicorn.conf.py, as under systemd (deploy/systemd); scripts/serve.sh stops it gracefully.
	DEBUG=0 PORT=$(PORT) GUNICORN_PIDFILE=$(PIDFILE) scripts/serve.sh $(PROD_VENV)/bin

reload: ## Load new code into the running `make serve` without dropping a request (USR2, WINCH, TERM)
	scripts/reload.sh $(PIDFILE) $(PORT)

# Parallel pytest-xdist workers for `make test` (tests/markers.py says which tests share a
# worker); TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= 2

test: $(STAMP) ## Set up everything and run the whole test suite
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-server-packages.sh
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup) $(PYTEST_ARGS)

test-browser: $(STAMP) ## Only the real-browser checks: flows, axe-core, HTML validity
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

docs-screenshots: $(STAMP) ## Screenshots of the editor screens for docs/editing.md
	bash scripts/editing-screenshots.sh

lighthouse: $(STAMP) ## Lighthouse scores (mobile) for home, an article and contact -> docs/lighthouse.md
	bash scripts/lighthouse.sh

bench: $(STAMP) ## Load-test production settings under gunicorn on loopback (~4 min; docs/performance.md)
	$(BIN)/python -m bench $(BENCH_ARGS)

chaos: $(STAMP) ## Contact-form load for ~1 min while killing workers and cutting the database (docs/reliability.md)
	$(BIN)/python bench/chaos.py $(CHAOS_ARGS)

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Resolve pyproject.toml afresh: production -> requirements.lock, plus dev tools -> requirements-dev.lock
	@# Fresh virtualenvs, so nothing installed by hand in .venv ends up in a lock; the dev
	@# set is resolved with the production pins as constraints, so both agree.
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/prod" && \
	"$$tmp/prod/bin/python" -m pip install --quiet --upgrade pip && \
	"$$tmp/prod/bin/python" -m pip install --quiet . && \
	{ echo "# Production: exactly these (make serve installs them with --no-deps). Written by 'make lock'."; \
	  "$$tmp/prod/bin/python" -m pip freeze --exclude-editable | grep -v -e '^-e ' -e '^clinic-site'; } > requirements.lock && \
	$(PYTHON) -m venv "$$tmp/dev" && \
	"$$tmp/dev/bin/python" -m pip install --quiet --upgrade pip && \
	"$$tmp/dev/bin/python" -m pip install --quiet -c requirements.lock '.[dev]' && \
	{ echo "# Development and CI: production (requirements.lock) plus test and lint tools. Written by 'make lock'."; \
	  "$$tmp/dev/bin/python" -m pip freeze --exclude-editable | grep -v -e '^-e ' -e '^clinic-site'; } > requirements-dev.lock
	@echo "requirements.lock: $$(grep -vc '^#' requirements.lock) packages; requirements-dev.lock: $$(grep -vc '^#' requirements-dev.lock)"

audit: $(STAMP) ## Check production's locked dependencies (requirements.lock) for known vulnerabilities (needs PyPI's JSON API)
	scripts/audit.sh requirements.lock

backup-restore-check: $(STAMP) ## Prove backups restore, SQLite and PostgreSQL: scratch databases, backup, restore, compare
	scripts/backup-restore-check.sh

clean: ## Remove the virtualenv, database and collected files
	rm -rf $(VENV) $(PROD_VENV) db.sqlite3* staticfiles .pytest_cache

# The first staff account (later ones are invited from the admin). STAFF and EMAIL name it.
STAFF ?= admin
staff: migrate ## Create the first staff account with an authenticator: make staff STAFF=alice EMAIL=alice@clinic.example
	DEBUG=$${DEBUG-1} $(MANAGE) enrol_staff $(STAFF) --superuser $(if $(EMAIL),--email $(EMAIL))

translations: $(STAMP) ## Update the Spanish catalogue from the templates and code, and compile it (Babel)
	DEBUG=$${DEBUG-1} $(MANAGE) update_translations
