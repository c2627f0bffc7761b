# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 7860

# The offline switches (HF_HUB_OFFLINE and the rest) live in reportqa/offline.py and are applied
# by every entry point (the reportqa command, tests/conftest.py), so none are repeated here.

.PHONY: run test test-all ingest-examples chromium bench load clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# torch first and pinned: 2.13.0 is a CPU build on local disk; a bare `torch` pulls CUDA.
$(VENV)/.torch: | $(PY)
	$(PY) -m pip install --quiet torch==2.13.0
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Browser tests drive Debian's chromium; never `playwright install` (it downloads a browser).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

ingest-examples: $(VENV)/.installed
	$(BIN)/reportqa ingest examples/reports

run: ingest-examples
	$(BIN)/reportqa serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed chromium
	$(BIN)/pytest -q -m "not slow"

test-all: $(VENV)/.installed chromium
	$(BIN)/pytest -q

bench: $(VENV)/.installed
	$(BIN)/reportqa bench --json

load: $(VENV)/.installed
	$(BIN)/reportqa bench --load --json

clean:
	rm -rf $(VENV) data
