# The two commands: `make run` (the site with demo content, on SQLite) and `make test`
# (the whole suite on PostgreSQL, then its SQLite-compatible part on SQLite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCAL := DEBUG=true
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/wildwestweb)

.PHONY: run test lint worker

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(LOCAL) $(PY) manage.py migrate --noinput
	@# Quiet logs, so the summary and the admin login are what is left on screen.
	$(LOCAL) LOG_LEVEL=WARNING $(PY) manage.py load_demo
	@# The task worker sends mail in the background; it stops with the server.
	$(LOCAL) $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(LOCAL) $(PY) manage.py runserver 127.0.0.1:8000

worker: $(VENV)/.installed
	$(LOCAL) $(PY) manage.py db_worker

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The layers the apps stand in, and no cycles inside them ([tool.importlinter] in pyproject.toml).
	$(VENV)/bin/lint-imports --no-logo

test: $(VENV)/.installed
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///$(CURDIR)/.test-sqlite.db $(PY) -m pytest -m "not postgres and not browser" $(PYTEST_ARGS)
