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

demo: setup
	$(BIN)/screening --db out/screening.duckdb demo
	@echo
	$(BIN)/screening --db out/screening.duckdb report --lang en --steps 3

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/lint-imports

.PHONY: setup demo test lint
