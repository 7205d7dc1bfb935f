# themeqa — two commands: `make demo` and `make test`.
# Both install exactly the versions pinned (with hashes) in requirements.lock /
# requirements-dev.lock; `make lock` refreshes them, `make test-latest` tries the newest
# releases that pyproject.toml allows in a separate environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= .demo-project
LATEST ?= .venv-latest
# One command for both lock files, so a refresh cannot resolve them differently.
COMPILE = $(BIN)/python -m uv pip compile --quiet --universal --python-version 3.11 \
          --generate-hashes pyproject.toml

.PHONY: demo demo-reset test fuzz check venv dev lint lock test-latest bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: an environment is (re)installed only when its lock file changes.
$(VENV)/.runtime-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.runtime-installed

venv: $(VENV)/.runtime-installed

dev: $(VENV)/.dev-installed

## Build the environment; build the demo study if it is not there yet, then open the TUI on
## it. A second `make demo` reopens the same project: your codings stay.
demo: venv
	@if [ -f $(DEMO)/themeqa.db ]; then \
	  echo "opening the demo study in $(DEMO) (make demo-reset rebuilds it)"; \
	  $(BIN)/themeqa --project $(DEMO) code --coder amira; \
	else \
	  $(BIN)/themeqa demo $(DEMO); \
	fi

## Rebuild the demo study from scratch; the old one is copied to $(DEMO)/backups/ first.
demo-reset: venv
	$(BIN)/themeqa demo $(DEMO) --force --no-tui

## Install dev extras, then ruff, the layer contract and the whole test suite.
test: dev
	$(MAKE) --no-print-directory check BIN=$(BIN)

check:
	$(BIN)/ruff check themeqa tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 -q

## Property and fuzz tests (pytest -m fuzz) with many examples: the hypothesis profile "fuzz"
## (tests/conftest.py). `make test` runs the same tests with a few examples each. The hostile-
## file fuzzers (tests/hostile) give every reader at least 1,000 inputs and print the counts.
fuzz: dev
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -m fuzz -q

lint: dev
	$(BIN)/ruff check themeqa tests bench
	$(BIN)/ruff format --check themeqa tests bench
	$(BIN)/lint-imports

## Re-resolve both lock files to the newest versions pyproject.toml allows.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(COMPILE) -o requirements.lock
	$(COMPILE) --extra dev -o requirements-dev.lock

## The suite on the newest releases pyproject.toml allows, in $(LATEST) (not run by CI).
test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade -e '.[dev]'
	$(LATEST)/bin/python -m pip list --format=freeze > $(LATEST)/versions.txt
	$(MAKE) --no-print-directory check BIN=$(LATEST)/bin

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
	rm -rf $(VENV) $(LATEST) .pytest_cache build dist *.egg-info
