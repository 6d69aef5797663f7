# Khulasa: the two commands a new user runs are `make run` and `make test` (see README).
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# CPU torch, pinned: an unpinned torch pulls a multi-GB CUDA build. Set TORCH_INDEX to a CPU wheel index
# (https://download.pytorch.org/whl/cpu) on machines whose default index only has the CUDA build.
TORCH  := torch==2.13.0
TORCH_INDEX ?=
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-test run test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) $(TORCH)
	$(PIP) install -q -e '.[ct2]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -e '.[ct2,test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Start the service with embedded defaults (in-process cache, no Redis). Pulls models when the hub is
## reachable; otherwise starts degraded (extractive summary, no translation) and /health/ready says so.
run: install
	-$(VENV)/bin/khulasa models pull && $(VENV)/bin/khulasa models convert
	$(VENV)/bin/khulasa serve --host $(HOST) --port $(PORT)

## The whole suite: unit, API (embedded store and real Redis), tiny-model, CLI, ruff, mypy, hadolint.
test: install-test
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff check service tests benchmarks scripts && $(VENV)/bin/ruff format --check service tests benchmarks scripts && $(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
