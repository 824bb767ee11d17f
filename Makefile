# Developer entry points. `make test` and `make serve` install into .venv first, so each is one
# command on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LISTS_DIR ?=

.PHONY: install fmt lint typecheck test check serve bench bench-import bench-quality bench-speed

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

fmt: install
	$(BIN)/ruff check --fix matcher tests bench
	$(BIN)/ruff format matcher tests bench

lint: install
	$(BIN)/ruff check matcher tests bench
	$(BIN)/ruff format --check matcher tests bench

typecheck: install
	$(BIN)/mypy

test: install lint typecheck
	$(BIN)/python -m pytest

check: test

bench-import: install
	$(BIN)/python bench/import_lists.py

bench: bench-import
