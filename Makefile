# uniontrends: `make help` lists the targets. Every target bootstraps .venv when missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install report test lab bench lint lock clean

## Show this help
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$1,t,":"); printf "  make %-8s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or make PYTHON=python3)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

## Create .venv and install the project with its pinned dependencies
install: $(STAMP)

## Run every notebook for the bundled data (Putuo, 2022) and write outputs/
report: $(STAMP)
	$(BIN)/uniontrends run

## Run the test suite (unit, property, bad input, notebooks, CLI, browser)
test: $(STAMP)
	$(BIN)/python -m pytest

## Open JupyterLab on the notebooks
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## Print runner benchmarks (medians over repeated runs, and ratios)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_runner.py

## Lint and format-check the library, tests and benchmarks (ruff)
lint: $(STAMP)
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/ruff format --check lib tests benchmarks

## Re-pin constraints.txt from the current .venv (after changing pyproject.toml)
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^uniontrends' > constraints.txt

## Remove .venv, outputs and caches
clean:
	rm -rf $(VENV) outputs .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
