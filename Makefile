# themeqa — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= .demo-project

.PHONY: demo test venv dev lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

## Build the environment, build the demo study and open the TUI on it.
demo: venv
	$(BIN)/themeqa demo $(DEMO) --force

## Install dev extras, then ruff, the layer contract and the whole test suite.
test: dev
	$(BIN)/ruff check themeqa tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 -q

lint: dev
	$(BIN)/ruff check themeqa tests bench
	$(BIN)/ruff format --check themeqa tests bench
	$(BIN)/lint-imports

## Benchmarks at every size (or `make bench SIZE=study`); table in bench/results.md.
## (`make test` runs them at small size only, as a smoke test: tests/bench/.)
SIZE ?= small study archive
bench: dev
	$(BIN)/python bench/run.py --size $(SIZE)

## Regenerate the guide's screenshots (docs/guide/img/) and its key card from the demo study.
docs: venv
	$(BIN)/python scripts/screenshots.py
	$(BIN)/python scripts/keycard.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache build dist *.egg-info
