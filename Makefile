# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test install install-test clean

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

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
