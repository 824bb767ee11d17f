# Developer entry points. `make test` and `make serve` install into .venv first, so each is one
# command on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# A local mirror of the lists (one folder per list) for machines without internet access.
LISTS_DIR ?=

.PHONY: install fmt lint typecheck test check serve lists bench bench-import bench-quality bench-screening bench-speed bench-load bench-bulk

install: $(VENV)/.installed

# setup.py compiles these hot modules in place with mypyc; editing one rebuilds it on the next
# make target (importing a compiled module older than its source fails with this advice).
COMPILED := $(shell grep -o '"matcher/[a-z_/]*\.py"' setup.py | tr -d '"')

$(VENV)/.installed: pyproject.toml setup.py $(COMPILED)
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

# Load the lists (from the authorities, or from LISTS_DIR). A failed refresh never removes a good
# list, and the service starts either way: with no list loaded it says how to load one.
lists: install
	-$(BIN)/matcher lists refresh $(if $(LISTS_DIR),--from-dir $(LISTS_DIR))

serve: lists
	$(BIN)/matcher serve

bench-import: install
	$(BIN)/python bench/import_lists.py

bench-quality: install
	$(BIN)/python bench/quality.py

bench-screening: install
	$(BIN)/python bench/screening.py

bench-speed: install
	$(BIN)/python bench/speed.py

bench-load: install
	$(BIN)/python bench/load/run.py

bench-bulk: install
	$(BIN)/python bench/bulk.py

bench: bench-import bench-quality bench-screening bench-speed bench-load bench-bulk
