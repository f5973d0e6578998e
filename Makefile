# Punte: `make demo` to try it, `make test` to check it. Needs only Python 3.11+ and make.
#
# The virtualenv in .venv is made once and reused; it is reinstalled only when pyproject.toml
# changes (stamp files in .venv). `make help` lists the targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# -n auto: one test worker per core. Override with `make test XDIST=0` to run in one process.
XDIST ?= auto
# Extra pytest arguments, e.g. `make test PYTEST_ARGS=punte/accounts` for one app.
PYTEST_ARGS ?=
CHROMIUM ?= /usr/bin/chromium
PIP_INSTALL := PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --quiet --disable-pip-version-check --no-input
STAMP := $(VENV)/.punte-installed
STAMP_DEV := $(VENV)/.punte-installed-dev
DEMO_ENV := DJANGO_SETTINGS_MODULE=punte.settings.dev
TEST_ENV := DJANGO_SETTINGS_MODULE=punte.settings.test

.DEFAULT_GOAL := help
.PHONY: help demo test lint format messages lock clean clean-demo install install-dev

help:
	@echo "make demo        install, migrate an SQLite database, load demo data, print the logins,"
	@echo "                 serve on http://127.0.0.1:8000 (open http://localhost:8000 for passkeys)"
	@echo "make test        lint, then the whole test suite (SQLite, or PostgreSQL via DATABASE_URL)"
	@echo "make lint        ruff check, ruff format --check, the import layers (lint-imports), bandit"
	@echo "make format      ruff format and ruff check --fix"
	@echo "make messages    update and compile the Romanian and Ukrainian translations"
	@echo "make lock        remake requirements.lock (production installs, hashes) from pyproject.toml"
	@echo "make clean       remove the virtualenv and caches (keeps the demo database in var/)"
	@echo "make clean-demo  remove the demo database and the development keys that encrypt it"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Punte needs Python 3.11 or newer; '$(PYTHON)' is not. Try: make $(MAKECMDGOALS) PYTHON=python3.12" >&2; \
	  exit 1; }
	@echo "Creating the virtualenv in $(VENV)..."
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtualenv. On Debian or Ubuntu: apt-get install python3-venv" >&2; \
	  rm -rf $(VENV); exit 1; }

$(STAMP): pyproject.toml | $(PY)
	@echo "Installing Punte into $(VENV) (quiet; errors are shown)..."
	@$(PIP_INSTALL) -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(PY)
	@echo "Installing Punte with its development tools into $(VENV) (quiet; errors are shown)..."
	@$(PIP_INSTALL) -e '.[dev]'
	@touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(STAMP_DEV)

# The task worker (tasks and periodic jobs) runs beside the web server; Ctrl-C stops both.
demo: $(STAMP)
	@$(DEMO_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(DEMO_ENV) $(PY) manage.py load_demo
	@echo
	@echo "Serving on http://127.0.0.1:8000 - for passkeys open http://localhost:8000 (same server)."
	@echo "Press Ctrl-C to stop."
	@$(DEMO_ENV) $(PY) manage.py run_worker --queue-name '*' -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) .ci/bandit_triaged.py

format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Lint and tests both run, so one run reports everything; the target fails if either failed.
# Browser tests need Debian's chromium: without it they are skipped with a warning on a
# developer's machine, and the run fails on CI (CI=true), where they must run.
test: $(STAMP_DEV)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$${CI:-}" = "true" ]; then \
	    echo "ERROR: $(CHROMIUM) is missing on CI; the browser tests must run here." >&2; \
	    exit 1; \
	  fi; \
	  echo; \
	  echo "##################################################################################"; \
	  echo "##                                                                              ##"; \
	  echo "##   WARNING: BROWSER TESTS WILL BE SKIPPED - $(CHROMIUM) is not installed.     "; \
	  echo "##   The pages will NOT be tested in a real browser. To run those tests:        ##"; \
	  echo "##       sudo apt-get install chromium                                          ##"; \
	  echo "##   CI installs chromium and fails without it.                                 ##"; \
	  echo "##                                                                              ##"; \
	  echo "##################################################################################"; \
	  echo; \
	  export PUNTE_SKIP_BROWSER=1; \
	fi; \
	status=0; \
	echo "== ruff check"; $(BIN)/ruff check . || status=1; \
	echo "== ruff format --check"; $(BIN)/ruff format --check . || status=1; \
	echo "== import layers (lint-imports, pyproject.toml)"; $(BIN)/lint-imports || status=1; \
	echo "== bandit (findings triaged in .ci/bandit-triage.toml)"; $(PY) .ci/bandit_triaged.py || status=1; \
	echo "== migrations match the models"; \
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run -v 1 || status=1; \
	if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  if command -v msgfmt >/dev/null; then \
	    echo "== compiling translations"; \
	    $(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' -v 0 || status=1; \
	  else \
	    echo "(msgfmt not found: translations not recompiled; apt-get install gettext)"; \
	  fi; \
	fi; \
	echo "== pytest on $${DATABASE_URL:-SQLite (set DATABASE_URL for PostgreSQL)}"; \
	$(BIN)/pytest -n $(XDIST) -q -rfE $(PYTEST_ARGS) || status=$$?; \
	if [ "$$status" != 0 ]; then echo "make test: FAILED (see above)" >&2; fi; \
	if [ -n "$${PUNTE_SKIP_BROWSER:-}" ] && [ ! -x $(CHROMIUM) ]; then \
	  echo "REMINDER: browser tests were skipped ($(CHROMIUM) is not installed)." >&2; \
	fi; \
	exit $$status

# Locations without line numbers, so an edit elsewhere in a file does not churn the catalogues;
# djangojs holds the strings of django-otp-webauthn's scripts (punte/accounts/webauthn_strings.js).
MAKEMESSAGES := $(DEMO_ENV) $(PY) manage.py makemessages -l ro -l uk --no-obsolete \
  --add-location=file --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*' \
  --ignore 'punte/static/vendor/*'

messages: $(STAMP_DEV)
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) -d djangojs
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore '.venv'

# Universal (every platform's wheels) so that one lock serves any production machine.
lock: $(STAMP_DEV)
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
	  --quiet -o requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info .ruff_cache .pytest_cache .import_linter_cache test-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

clean-demo:
	rm -f var/punte.sqlite3 var/punte.sqlite3-wal var/punte.sqlite3-shm var/dev-secrets.env
