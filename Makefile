# PSC 119 dispatch: `make run` serves on http://127.0.0.1:5000, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
export HOST PORT

.PHONY: setup setup-dev run serve migrate seed test test-postgres bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when the pinned requirements change.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# Browser libraries (Leaflet, the Socket.IO client) from the npm registry, as locked.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "WARNING: npm not found: the browser pages need Leaflet and the Socket.IO client (apt-get install npm); the API works without"; fi

setup: $(VENV)/.installed node_modules/.package-lock.json       ## install the pinned runtime dependencies (idempotent)

setup-dev: $(VENV)/.installed-dev node_modules/.package-lock.json  ## runtime + test and benchmark dependencies

migrate: setup                        ## apply the migrations to DATABASE_URL (default: SQLite in instance/)
	$(FLASK) db upgrade

seed: migrate                         ## load demo data into an empty database (no-op otherwise)
	$(FLASK) seed demo --if-empty

run: seed                             ## migrate, seed on first run, serve HTTP + websockets, print the demo accounts
	$(PY) wsgi.py

# TEST_WORKERS: parallel pytest-xdist workers (most tests wait on servers, browsers and sockets);
# TEST_WORKERS=0 runs in this process. PYTEST_ARGS: more pytest arguments (-m, -k, a path).
TEST_WORKERS ?= 2
PYTEST_ARGS  ?=
test: setup-dev                       ## the test suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set)
	$(PY) -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: setup-dev                      ## geography; API latency and throughput (SQLite, PostgreSQL); live delivery; browser pages; scheduler
	$(PY) bench/geo_bench.py
	$(PY) bench/api_latency.py
	$(PY) bench/realtime_bench.py
	$(PY) bench/intake_bench.py
	$(PY) bench/page_bench.py
	$(PY) bench/scheduler_bench.py

clean:
	rm -rf $(VENV) .pytest_cache node_modules
