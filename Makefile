# CX Workbook. `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MONTH ?= latest

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## Create .venv (if missing) and install cxlib with its test tools
	@echo "environment ready: $(VENV)"

report: setup ## Render the report for the latest full month: HTML, deck, e-mail digest, Excel workbook, and PDF where Chromium is installed (MONTH=YYYY-MM)
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; then \
	  $(PY) -m cxlib.report --month $(MONTH) --pdf --pptx --email --xlsx; \
	else echo "note: no Chromium on PATH (apt-get install chromium): rendering HTML, deck, e-mail and Excel, no PDF" >&2; \
	  $(PY) -m cxlib.report --month $(MONTH) --pptx --email --xlsx; fi

test: setup ## Run the whole test suite: unit tests, doctests, notebooks (nbval)
	$(PY) -m pytest

test-spark: setup ## The engine equality suite and the sample report on Spark local[2] (installs pyspark into .venv; needs Java 17)
	$(PY) -m pip install --quiet 'pyspark>=3.5'
	CX_TEST_SPARK=1 $(PY) -m pytest -q -m spark -W ignore::DeprecationWarning tests/test_engines.py tests/test_report_tables.py

lab: setup ## Start JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

sample: setup ## Regenerate the synthetic sample data in data/sample/
	$(PY) -m cxlib.sample

bench: setup ## Run the benchmarks (prints figures; slow)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

docs: setup ## Regenerate docs/config.md and docs/cx.schema.json from the config schema (cxlib/data/schema)
	$(PY) -m cxlib.data.schema

clean: ## Remove rendered reports and caches (keeps .venv)
	rm -rf reports/*/ reports/index.html .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +

.PHONY: help setup report test test-spark lab sample bench docs clean
