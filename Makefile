# One command to set up and start the app, one to set up and run the tests.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python app.py

# Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded at test time).
browser:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy assistant

test: $(STAMP) browser lint
	$(VENV)/bin/python bench/chain.py --n 10
	$(VENV)/bin/python -m pytest -q
	$(VENV)/bin/python ingest.py
	$(VENV)/bin/python -m assistant eval eval/gold.jsonl --min-hit 0.95

bench: $(STAMP)
	$(VENV)/bin/python bench/retrieval.py
	$(VENV)/bin/python bench/chain.py
	$(VENV)/bin/python bench/ingest.py

clean:
	rm -rf $(VENV) data
