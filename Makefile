# The two commands of the README:  `make lab` (the main job) and `make test` (the whole suite).
# Each creates or reuses the project virtual environment in .venv and installs into it by itself.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=

.PHONY: lab test test-under-load lint typecheck pytest demo serve bench lock clean-venv

# constraints.txt pins every package to the version the suite passed with, so a fresh machine installs
# what was tested; `make lock` is the deliberate step that moves them.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

## JupyterLab on the quickstart notebook, against the embedded local Personalize.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/01_quickstart.ipynb $(ROOT_FLAG)

## The whole suite: lint, types, unit, golden, notebook and browser tests.
test: $(STAMP)
	$(BIN)/ruff check personalize_lab tests benchmarks scripts
	$(BIN)/ruff format --check personalize_lab tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The same suite while two processes keep both cores busy (tests/conftest.py: PL_BUSY_CORES).
test-under-load: $(STAMP)
	PL_BUSY_CORES=2 $(MAKE) test

lint: $(STAMP)
	$(BIN)/ruff check personalize_lab tests benchmarks scripts
	$(BIN)/ruff format --check personalize_lab tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Every benchmark, one after the other (each prints its own table of same-run ratios; ~15-30 min).
BENCHMARKS := datasets bench_filtering quality emulator wire client cohort analysis widgets
bench: $(STAMP)
	@for b in $(BENCHMARKS); do echo "== benchmarks/$$b.py"; OPENBLAS_NUM_THREADS=1 $(BIN)/python -m benchmarks.$$b || exit 1; done

## The stakeholder demo (Voila) and the local Personalize over HTTP.
demo: $(STAMP)
	$(BIN)/personalize-lab demo

serve: $(STAMP)
	$(BIN)/personalize-lab serve --demo

## Re-resolve every dependency from pyproject.toml into a scratch venv and rewrite constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '1,2p' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable | grep -v '^personalize-lab'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

clean-venv:
	rm -rf $(VENV)
