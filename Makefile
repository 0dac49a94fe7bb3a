# `make run` and `make test` create .venv on first use, so a fresh clone needs only Python 3.11+.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The distribution was called `workbench` before; two editable installs would both claim the package.
	$(BIN)/python -m pip uninstall --quiet --yes workbench 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: run test check bench
run: $(STAMP)
	$(BIN)/workbench $(ARGS)

# The quick checks first, so a lint, format or type error fails in seconds rather than after the suite.
# One pytest worker per core (-n auto): the suite is mostly independent TUI sessions, and the two long
# ones (5,000 fuzzed keys, every screen at a dozen sizes) then run side by side.
test: check
	$(BIN)/python -m pytest -n auto

# mypy takes its options (and the package to check) from [tool.mypy] in pyproject.toml.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
