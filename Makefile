# The commands people type. Start here:
#   make demo    serve the seeded demo city on http://127.0.0.1:8000 (make demo PORT=8080)
#   make test    install what the tests need and run the whole suite
# Everything runs from .venv, which these targets create with the machine's python3.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
MERCHANTS ?= 240
SEED ?= 42
WORKERS ?= 2
THREADS ?= 4
JOBS ?= 2
PYTEST_ARGS ?=
# Debian packages the tests use: headless browser, Chinese glyphs in screenshots, msgfmt for translations,
# haproxy (the load balancer of make cluster and tests/live/test_cluster.py).
APT_PACKAGES ?= chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 haproxy
MSG_IGNORE := --ignore=.venv --ignore=var --ignore=node_modules --ignore=build

.DEFAULT_GOAL := help
.PHONY: help demo test lint migrate seed run worker messages system-deps demo-reset bench-flashsale

help:
	@echo "make demo       serve the seeded demo city on http://$(HOST):$(PORT) (HOST=, PORT= to change)"
	@echo "make test       install test dependencies and run the whole suite (DATABASE_URL picks the database)"
	@echo "make lint       ruff + mypy + import-linter (the layers in pyproject.toml)"
	@echo "make migrate    apply database migrations"
	@echo "make seed       seed the demo city if it is not seeded yet (MERCHANTS=240 SEED=42)"
	@echo "make run        Django's development server with DEBUG on"
	@echo "make worker     the task worker: queued tasks and the periodic ones (make demo starts one)"
	@echo "make messages   extract zh_Hans translations into locale/ and compile them"
	@echo "make demo-reset delete the demo SQLite database and uploaded media (the next make demo reseeds)"
	@echo "make bench-discovery, make bench-flashsale   benchmarks (bench/); each prints JSON lines with its baseline"
	@echo "make simulate-delivery   a simulated lunch and evening: the dispatcher (PyVRP) beside greedy nearest-courier (bench/delivery)"
	@echo "make cluster    HAProxy, two app nodes, two workers, a PostgreSQL primary + replica, Redis (make cluster-stop)"

# --- the virtualenv: rebuilt when pyproject.toml changes ---
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(VENV)/.installed

# --- the demo ---
demo: $(VENV)/.installed system-deps
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo --merchants $(MERCHANTS) --seed $(SEED) --base-url http://$(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/ with gunicorn ($(WORKERS) workers x $(THREADS) threads) and a task worker. Ctrl-C stops both."
	@# The worker (tasks + periodic tasks: hold expiry, reconcile, pruning) runs beside the web server, its
	@# lines prefixed [worker]; the trap stops it whichever way gunicorn ends (Ctrl-C, a crash).
	@$(PY) manage.py o2o_worker > >(sed -u 's/^/[worker] /') 2>&1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi:application --worker-class gthread --workers $(WORKERS) \
		--threads $(THREADS) --bind $(HOST):$(PORT) --access-logfile - --log-level warning

demo-reset:
	rm -f var/o2o.sqlite3 var/o2o.sqlite3-wal var/o2o.sqlite3-shm
	rm -rf var/media

migrate: $(VENV)/.installed
	@mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --merchants $(MERCHANTS) --seed $(SEED) --base-url http://$(HOST):$(PORT)

# The development server runs tasks in the request unless TASKS_BACKEND says otherwise (no worker here).
run: migrate
	DEBUG=true TASKS_BACKEND=$${TASKS_BACKEND:-django_tasks.backends.immediate.ImmediateBackend} \
		$(PY) manage.py runserver $(HOST):$(PORT)

# The task worker alone (production runs one or more beside the web servers; README "Worker").
worker: migrate
	$(PY) manage.py o2o_worker

# --- tests ---
system-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (install them as root; tests needing them will say so)"; \
	  fi; \
	fi

# RC_FILE=path writes pytest's own exit code there (make itself exits 2 on any failure); .ci/run uses it.
test: $(VENV)/.installed-dev system-deps
	@mkdir -p var/static
	@if [ -d locale ] && find locale -name '*.po' | grep -q .; then \
	  $(PY) manage.py compilemessages -v0 $(MSG_IGNORE); fi
	@set +e; $(VENV)/bin/pytest -n $(JOBS) $(PYTEST_ARGS); rc=$$?; \
	if [ -n "$(RC_FILE)" ]; then echo $$rc > "$(RC_FILE)"; fi; exit $$rc

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy o2o config
	$(VENV)/bin/lint-imports

messages: $(VENV)/.installed
	@mkdir -p locale
	$(PY) manage.py makemessages -l zh_Hans -d django $(MSG_IGNORE) --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages $(MSG_IGNORE)

# --- benchmarks (bench/): each prints one JSON line of figures with the baseline measured in the same run ---
bench-flashsale: $(VENV)/.installed-dev
	timeout 1800 $(PY) bench/flashsale/run.py

# Targets that live with their code (bench-discovery, operations ...): bench/Makefile.<topic>.
-include $(sort $(wildcard bench/Makefile.*))
