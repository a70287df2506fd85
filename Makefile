# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those two.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
INSTANCE ?= instance
export PORTAL_INSTANCE_PATH ?= $(abspath $(INSTANCE))

.PHONY: run setup test lint bench translations system-deps clean

run: setup
	PORTAL_ENV=development $(PY) -m flask --app portal run --host 127.0.0.1 --port 5000

setup: $(STAMP) translations
	@mkdir -p $(PORTAL_INSTANCE_PATH)
	PORTAL_ENV=development $(PY) -m flask --app portal db upgrade
	PORTAL_ENV=development $(PY) -m flask --app portal benchmarks seed
	PORTAL_ENV=development $(PY) -m flask --app portal demo load
	PORTAL_ENV=development $(PY) -m flask --app portal guidance seed
	PORTAL_ENV=development $(PY) -m flask --app portal guidance rebuild

test: $(STAMP) translations system-deps
	bash scripts/run-tests

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

translations: $(STAMP)
	$(VENV)/bin/pybabel compile -d portal/translations -l zh --statistics 2>&1 | tail -1

# Debian packages the browser tests and PDF exports need (chromium, CJK fonts, node for axe-core).
system-deps:
	bash scripts/system-deps

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) tests/bench/bench_retrieval.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache
