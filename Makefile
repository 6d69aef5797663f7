# Khulasa: the two commands a new user runs are `make run` and `make test` (see README).
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# torch is pinned; which build is chosen here. PyPI's Linux torch is the CUDA build (torch plus ~15 NVIDIA wheels,
# gigabytes), so on Linux without an NVIDIA GPU (no `nvidia-smi`) the CPU build is asked for by its local version
# (torch==X+cpu), with PyTorch's CPU index added (--extra-index-url: the rest still comes from the default index).
# When that index does not answer (a machine that reaches only a mirror), it is left out rather than retried for
# every package, and pip takes the +cpu wheel from the mirror or its find-links. With a GPU, or on macOS (PyPI's
# build is CPU there), the plain pin is used. TORCH_INDEX=URL overrides the choice: torch then comes from that
# index alone (e.g. .../whl/cu128 for a given CUDA).
TORCH_VERSION := 2.13.0
CPU_INDEX     := https://download.pytorch.org/whl/cpu
TORCH_INDEX   ?=
HAS_NVIDIA    := $(shell command -v nvidia-smi >/dev/null 2>&1 && echo yes)
# Evaluated only when torch is installed (recursive variable): does the CPU index answer within 5 s?
CPU_INDEX_UP   = $(shell $(PYTHON) -c 'import urllib.request as u; u.urlopen("$(CPU_INDEX)/torch/", timeout=5)' >/dev/null 2>&1 && echo yes)
ifneq ($(TORCH_INDEX),)
  TORCH_ARGS = --index-url $(TORCH_INDEX) torch==$(TORCH_VERSION)
else ifeq ($(shell uname -s)-$(HAS_NVIDIA),Linux-)
  TORCH_ARGS = $(if $(CPU_INDEX_UP),--extra-index-url $(CPU_INDEX)) torch==$(TORCH_VERSION)+cpu
else
  TORCH_ARGS = torch==$(TORCH_VERSION)
endif
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-test run test lint clean

# No -q on the big installs: torch and the models' libraries are hundreds of MB, and pip's progress bars show it.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install --progress-bar on $(TORCH_ARGS)
	$(PIP) install --progress-bar on -e '.[ct2]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --progress-bar on -e '.[ct2,test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Start the service with embedded defaults (in-process cache, no Redis). Pulls and converts the models when the
## hub is reachable; otherwise says in one line that it serves in degraded mode (extractive summary, no
## English) and starts anyway; /health/ready says why, and the start-up banner has the URLs.
run: install
	@$(VENV)/bin/khulasa models pull --degraded-ok && $(VENV)/bin/khulasa models convert || true
	$(VENV)/bin/khulasa serve --host $(HOST) --port $(PORT)

## The whole suite: unit, API (embedded store and real Redis), tiny-model, CLI, ruff, mypy, hadolint.
test: install-test
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff check service tests benchmarks scripts && $(VENV)/bin/ruff format --check service tests benchmarks scripts && $(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
