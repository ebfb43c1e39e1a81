# Quick start on a fresh machine (Python >= 3.11, nothing else installed by hand):
#   make demo   - create .venv, install ultralow, optimise the Harbin example (embedded weather)
#   make test   - create .venv, install ultralow with dev extras, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install demo test lint bench clean

$(BIN)/ultralow: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/ultralow

demo: install
	$(BIN)/ultralow optimise optimise/examples/harbin_ultra_low.toml --generations 3 --population 8 --out runs/demo

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/simulation_speed.py

clean:
	rm -rf $(VENV) runs .pytest_cache
