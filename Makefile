# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test lint install install-test clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# -qq: setuptools' notes about editable installs would fill the screen before the app opens;
# errors still print.
install: $(PY)
	$(PY) -m pip install -qq -e .

install-test: $(PY)
	$(PY) -m pip install -qq -e '.[test]'

run: install
	$(VENV)/bin/docker-tutor

# The house's rules, checked before any test runs: ruff (style and likely bugs), mypy (types),
# import-linter (the layers in docs/architecture.md). Settings are in pyproject.toml.
lint: install-test
	$(VENV)/bin/ruff check tutor tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: install-test lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark, with its ratios to baselines measured in the same run (docs/performance.md).
# Not part of `make test`. Engine benchmarks use DOCKER_HOST; ONLY=startup,push picks some.
bench: install-test
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info
