# Two entry points for a fresh machine: `make demo` (set up, run the main job and its report) and `make test`;
# `make lint` checks the import layering (CI runs it before the tests).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/screening: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/screening

# the nightly chain (`screening nightly --offline`) on the bundled dated lists and a synthetic account base
# with planted list entries; ends with the report's path and what an officer does next
demo: setup
	$(BIN)/screening --db out/screening.duckdb demo

# one pytest worker a core (pytest-xdist): each worker builds the session's fixture stores it needs
test: setup
	$(BIN)/python -m pytest -q -n auto

lint: setup
	$(BIN)/lint-imports

.PHONY: setup demo test lint
