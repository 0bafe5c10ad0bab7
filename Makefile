# One-word commands. `make test` builds .venv from scratch if needed and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lab demo bench lint clean browser compiled

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test,fast]"
	touch $(STAMP)

# The engine compiled with Cython (ao_kernel/compiled.py): only modules whose source changed are
# rebuilt, and a build that no longer matches its source is never used. Optional: if it fails,
# the engine runs as plain Python (slower), so a failure here does not stop the target.
compiled: $(STAMP)
	-$(BIN)/ao-kernel compile

test: $(STAMP) browser compiled
	$(BIN)/ruff check ao_kernel tests bench
	$(BIN)/python -m pytest

# Debian's Chromium for the real-browser tests (tests/browser); instant when already installed.
browser:
	@bash scripts/install-browser.sh

# JupyterLab on the workshop (lessons/, research notebooks in notebooks/) with the `ao` kernel
# installed into the venv.
lab: $(STAMP) compiled
	$(BIN)/ao-kernel install --sys-prefix
	$(BIN)/jupyter lab --notebook-dir=. $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
		lessons/README.md

demo: $(STAMP) compiled
	$(BIN)/python -m ao_kernel.demo

# Benchmarks (never part of `make test`): about 2-3 minutes; `make bench ARGS=--quick` ~1 minute.
bench: $(STAMP) compiled
	$(BIN)/python bench/bench.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check ao_kernel tests bench

clean:
	rm -rf $(VENV) .pytest_cache ao_kernel/_compiled
