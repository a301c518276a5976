# One command to set up and start the app, one to set up and run the tests.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench browser services axe clean audit

# uv (from PyPI) installs the same packages from the same registry several times faster than pip (fresh
# clone: ~3 s with a warm cache, ~30 s without, instead of ~3 min on a busy 2-core machine). uv itself comes
# from the registry too, into .venv/uv, and the venv is made without pip (ensurepip alone took 5 s); pip joins
# the venv from uv's install (pip-audit needs it). If any of that cannot run, ensurepip and pip do it all.
# No bytecode is compiled at install: compiling all of site-packages took 15 s before the first test could
# start; each module compiles on first import instead, and only the ~350 the app and tests import do.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	{ $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --upgrade --target $(VENV)/uv uv && \
	  $(VENV)/uv/bin/uv pip install --quiet --python $(VENV)/bin/python -e '.[test,documents]' pip; } || \
	  { $(VENV)/bin/python -m ensurepip --upgrade >/dev/null && \
	    $(VENV)/bin/python -m pip install --quiet -e '.[test,documents]'; }
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python app.py

# Debian packages the tests run for real: chromium (Playwright drives it), redis-server and PostgreSQL
# (tests/services.py starts private instances on free ports). Nothing is downloaded at test time;
# apt-get runs once, and only when something is missing.
services:
	@missing=""; \
	  { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } || missing="$$missing chromium"; \
	  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi

browser: services axe

# axe-core from the npm registry for the accessibility tests (tests/test_a11y.py injects axe.min.js into pages).
AXE_JS := tests/.node/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)
$(AXE_JS): | services
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	mkdir -p tests/.node
	npm install --prefix tests/.node --no-audit --no-fund --silent axe-core@4

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy assistant

# ruff first (seconds, and most failures are there); then, side by side: mypy; one real `python ingest.py`
# followed by bench/chain.py on a copy of its index; and pytest on two workers (pytest-xdist: the tests wait on
# browsers, servers and subprocesses much of the time; `--dist loadfile` keeps each test file on one worker,
# so a module's own server starts once; tests/conftest.py names the files whose tests are spread one by one,
# and `--no-loadscope-reorder` keeps its order, files that need no index first, then longest first).
# The tests start from that same index too (TEST_INDEX, once the ingest has written its exit code to
# TEST_INDEX_DONE) instead of embedding it again. Each job's output is shown when it ends; any failure, in a
# job or in pytest, fails `make test`. Every job runs with one BLAS thread, as the app does (assistant/environment.py): on two cores, idle BLAS threads spin and take the
# core another job needs (the ingest alone: 31 s of CPU with the default threads, 6 s with one).
# mypy runs at a low CPU priority (nice 10): on a fresh clone it has no cache and takes ~30 s of CPU, which it
# took from the ingest and the test workers at start-up; niced, it uses the cycles they leave while they wait
# on servers, browsers and subprocesses, and still ends long before pytest.
# `-p no:langsmith_plugin`: LangSmith (a LangChain dependency) registers a pytest plugin that no test uses;
# loading it cost ~1 s of CPU in each of the three pytest processes, before the workers could start.
# The set-up runs side by side: the venv install (tens of seconds on a fresh clone) does not wait for the
# Debian check and npm's axe-core. apt-get runs once at a time: axe-core waits for `services`.
test:
	@$(MAKE) --no-print-directory -j3 $(STAMP) services axe
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1; \
	  logs=$$(mktemp -d); status=0; \
	  nice -n 10 $(VENV)/bin/mypy assistant >$$logs/mypy.log 2>&1 & mypy=$$!; \
	  ( if $(VENV)/bin/python ingest.py >$$logs/ingest.log 2>&1; then rc=0; else rc=$$?; fi; \
	    echo $$rc >$$logs/ingest.rc.tmp; mv $$logs/ingest.rc.tmp $$logs/ingest.rc; exit $$rc ) & ingest=$$!; \
	  ( while [ ! -e $$logs/ingest.rc ]; do sleep 1; done; \
	    $(VENV)/bin/python bench/chain.py --n 10 --index data ) >$$logs/chain.log 2>&1 & chain=$$!; \
	  TEST_INDEX=$(CURDIR)/data TEST_INDEX_DONE=$$logs/ingest.rc \
	    $(VENV)/bin/python -m pytest -q -p no:langsmith_plugin -n 2 --dist loadfile --no-loadscope-reorder --durations=15 || status=1; \
	  for job in mypy:$$mypy ingest:$$ingest chain:$$chain; do \
	    name=$${job%%:*}; if wait $${job#*:}; then rc=0; else rc=$$?; fi; \
	    echo "--- $$name (exit $$rc)"; cat $$logs/$$name.log; \
	    [ $$rc -eq 0 ] || status=1; \
	  done; \
	  rm -rf $$logs; exit $$status

# Known vulnerabilities in the installed packages. Needs the network: without it, report and carry on.
audit: $(STAMP)
	@$(VENV)/bin/pip-audit --progress-spinner off || echo "pip-audit: could not complete (offline, or findings above); not failing the build"

bench: $(STAMP)
	$(VENV)/bin/python bench/retrieval.py
	$(VENV)/bin/python bench/chain.py
	$(VENV)/bin/python bench/ingest.py

clean:
	rm -rf $(VENV) data
