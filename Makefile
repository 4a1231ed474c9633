# fundtracker: `make run` serves the demo, `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install assets messages makemessages lint format bench bench-pages clean

# --- set-up steps (each does nothing when already up to date) -------------------------------------------

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed messages

assets: node_modules/.installed

# Babel compiles the translations, so neither the demo nor CI needs GNU gettext installed.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --domain=django --directory=locale --statistics

# --- the two commands of the README ---------------------------------------------------------------------

run: install
	PORT=$(PORT) scripts/run-demo.sh

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	scripts/with-services.sh $(PY) -m pytest $(PYTEST_ARGS)

# --- developer helpers ----------------------------------------------------------------------------------

# Benchmarks print a table; they are not tests. The data set is built once in its own database.
bench: install
	scripts/with-services.sh $(PY) scripts/bench.py $(BENCH_ARGS)
	scripts/with-services.sh $(PY) scripts/bench_pages.py

# Only the pages under gunicorn and wrk (the last table of make bench).
bench-pages: install
	scripts/with-services.sh $(PY) scripts/bench_pages.py $(BENCH_PAGES_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# Refresh the translation catalogues from the code (needs GNU gettext: apt-get install gettext). Locations
# name files only, not lines, so that parallel branches do not conflict over shifted line numbers.
makemessages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale=ru --locale=kk --no-obsolete --add-location=file \
		--ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=.tmp

clean:
	rm -rf $(VENV) node_modules staticfiles .tmp .pytest_cache .ruff_cache db.sqlite3
