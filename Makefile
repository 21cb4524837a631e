# The front door. `make run` and `make test` do all set-up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.DEFAULT_GOAL := help
.PHONY: help run serve test test-browser lint format bench audit lock migrate content clean worker

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

content: migrate
	DEBUG=$${DEBUG-1} $(MANAGE) import_content

run: content ## Set up everything and serve the site at http://127.0.0.1:8000 (SQLite)
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop). Email goes to this console."
	@trap 'kill 0' EXIT; \
	DEBUG=1 $(MANAGE) db_worker --interval 2 >/dev/null 2>&1 & \
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

test: $(STAMP) ## Set up everything and run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: $(STAMP) ## Write the exact installed versions to requirements.lock
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

audit: $(STAMP) ## Check the locked dependencies for known vulnerabilities
	$(BIN)/pip-audit --strict -r requirements.lock

clean: ## Remove the virtualenv, database and collected files
	rm -rf $(VENV) db.sqlite3* staticfiles .pytest_cache
