# The front door. `make run` and `make test` do all set-up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
PIDFILE ?= $(VENV)/gunicorn-$(PORT).pid
MANAGE := $(BIN)/python manage.py

.DEFAULT_GOAL := help
.PHONY: help run serve reload chaos test test-browser lighthouse lint format bench audit lock migrate content clean worker backup-restore-check

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	DEBUG=$${DEBUG-1} $(MANAGE) migrate --noinput
	DEBUG=$${DEBUG-1} $(MANAGE) setup_roles

content: migrate
	DEBUG=$${DEBUG-1} $(MANAGE) import_content

run: content ## Set up everything and serve the site at http://127.0.0.1:8000 (SQLite)
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop). Email goes to this console."
	@trap 'kill 0' EXIT; \
	DEBUG=1 $(MANAGE) task_worker --interval 2 >/dev/null 2>&1 & \
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

serve: $(STAMP) ## Production settings under gunicorn on 127.0.0.1:8000 behind the TLS proxy (needs SECRET_KEY)
	@test -n "$${SECRET_KEY-}" || { echo "make serve: SECRET_KEY is not set. Production refuses to start without it: set SECRET_KEY to a long random string (README.md, Configuration)." >&2; exit 1; }
	DEBUG=0 $(MANAGE) migrate --noinput
	DEBUG=0 $(MANAGE) collectstatic --noinput --verbosity 0
	DEBUG=0 $(MANAGE) write_outage_page --verbosity 0
	DEBUG=0 $(MANAGE) import_content
	@if [ -f clinic_site/accounts/management/commands/setup_roles.py ]; then DEBUG=0 $(MANAGE) setup_roles; fi
	@echo "Serving on 127.0.0.1:$(PORT) for the TLS proxy (Ctrl-C to stop)."
	@trap 'kill 0' EXIT; \
	if [ "$${RUN_TASK_WORKER:-1}" != 0 ]; then DEBUG=0 scripts/keep-running.sh $(MANAGE) task_worker --interval 2 & fi; \
	DEBUG=0 PORT=$(PORT) GUNICORN_PIDFILE=$(PIDFILE) $(BIN)/gunicorn --config gunicorn.conf.py; \
	while (for f in $(PIDFILE) $(PIDFILE).2; do kill -0 "$$(cat $$f 2>/dev/null)" 2>/dev/null && exit 0; done; exit 1); do sleep 1; done  # after `make reload` (the new master writes .pid.2, then .pid), serve on with it

reload: ## Load new code into the running `make serve` without dropping a request (USR2, WINCH, TERM)
	scripts/reload.sh $(PIDFILE) $(PORT)

test: $(STAMP) ## Set up everything and run the whole test suite
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: $(STAMP) ## Only the real-browser checks: flows, axe-core, HTML validity
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lighthouse: $(STAMP) ## Lighthouse scores (mobile) for home, an article and contact -> docs/lighthouse.md
	bash scripts/lighthouse.sh

bench: $(STAMP) ## Load-test production settings under gunicorn on loopback (~4 min; docs/performance.md)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

chaos: $(STAMP) ## Contact-form load for ~1 min while killing workers and cutting the database (docs/reliability.md)
	$(BIN)/python bench/chaos.py $(CHAOS_ARGS)

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Write the exact versions a clean install of pyproject.toml resolves to requirements.lock
	@# A fresh virtualenv, so nothing installed by hand in .venv ends up in the lock.
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip && \
	"$$tmp/venv/bin/python" -m pip install --quiet -e '.[dev]' && \
	"$$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	@echo "requirements.lock: $$(wc -l < requirements.lock) packages"

audit: $(STAMP) ## Check the locked dependencies for known vulnerabilities (needs PyPI's JSON API)
	scripts/audit.sh requirements.lock

backup-restore-check: $(STAMP) ## Prove a PostgreSQL backup restores: scratch databases, dump, restore, compare
	scripts/backup-restore-check.sh

clean: ## Remove the virtualenv, database and collected files
	rm -rf $(VENV) db.sqlite3* staticfiles .pytest_cache
