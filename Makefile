# One-word commands. `make test` builds .venv from scratch if needed and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lab demo bench lint clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

test: $(STAMP) browser
	$(BIN)/ruff check ao_kernel tests bench
	$(BIN)/python -m pytest

# Debian's Chromium for the real-browser tests (tests/browser); instant when already installed.
browser:
	@bash scripts/install-browser.sh

# JupyterLab on the workshop (lessons/, research notebooks in notebooks/) with the `ao` kernel
# installed into the venv.
lab: $(STAMP)
	$(BIN)/ao-kernel install --sys-prefix
	$(BIN)/jupyter lab --notebook-dir=. $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
		lessons/README.md

demo: $(STAMP)
	$(BIN)/python -m ao_kernel.demo

# Benchmarks (never part of `make test`): about 4-6 minutes; `make bench ARGS=--quick` ~1 minute.
bench: $(STAMP)
	$(BIN)/python bench/bench.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check ao_kernel tests bench

clean:
	rm -rf $(VENV) .pytest_cache
