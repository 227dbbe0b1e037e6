# uniontrends: `make help` lists the targets. Every target bootstraps .venv when missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXPLORE_PORT ?= 8866
# what `make report` runs: e.g. make report REGIONS=putuo LANGS=zh
REGIONS ?= all
LANGS ?= en,zh
JOBS ?= 2
# pytest-xdist workers; tests sharing a suite fixture stay on one worker (tests/conftest.py)
TEST_WORKERS ?= 2
PARALLEL := -n $(TEST_WORKERS) --dist loadgroup

.DEFAULT_GOAL := help
.PHONY: help install report test test-fast lab explore bench lint lock notebooks golden docs clean

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

## Run every notebook for every region of the bundled data, newest year, in English and Chinese
report: $(STAMP)
	$(BIN)/uniontrends run --region $(REGIONS) --lang $(LANGS) --jobs $(JOBS)

## Run the test suite (unit, property, bad input, notebooks, CLI, browser)
test: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL)

## Run the fast layer: no kernels, no browser (under a minute)
test-fast: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) -m "not notebooks and not kernels and not browser"

## Open JupyterLab on the notebooks
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

## Serve the explorer as a web page (Voilà, no code shown) on http://127.0.0.1:8866/
explore: $(STAMP)
	$(BIN)/uniontrends explore --port $(EXPLORE_PORT)

## Print benchmarks (runner, interactive latencies: medians, ratios) and the statistics' calibration
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_runner.py
	$(BIN)/python benchmarks/bench_interactive.py
	$(BIN)/python benchmarks/calibration.py --jobs 2

## Lint: ruff, format check, and the layer contracts (import-linter)
lint: $(STAMP)
	$(BIN)/ruff check lib tests benchmarks tools
	$(BIN)/ruff format --check lib tests benchmarks tools
	$(BIN)/lint-imports

## Regenerate the area notebooks from notebooks/templates/area.py and notebooks/registry.yaml
notebooks: $(STAMP)
	$(BIN)/python -c "from uniontrends.notebook.generate import write_area_notebooks; \
	from uniontrends.notebook.registry import load_registry; \
	print(*write_area_notebooks(load_registry('notebooks')) or ['unchanged'], sep='\n')"

## Rewrite tests/golden/ after a deliberate change of a method (review the diff)
golden: $(STAMP)
	$(BIN)/python -m pytest tests/test_golden.py --update-golden -q

## Build the documentation site into site/ (mkdocs, strict: a broken page fails)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

## Re-pin constraints.txt from the current .venv and regenerate environment.yml from it
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^uniontrends' > constraints.txt
	$(BIN)/python tools/write_environment.py

## Remove .venv, outputs and caches
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache site
	find outputs -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
