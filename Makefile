# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
SHELL := /bin/bash
# pipefail: a pip failure is not hidden by the filter that shortens its output.
.SHELLFLAGS := -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 7860
# pip's own lines, one per package fetched or installed (the rest is noise for a newcomer).
PIP_LINES := { grep --line-buffered -E '^(Collecting|Downloading|Installing|Successfully|ERROR|error)' || true; }
step = @printf '\n==> %s\n' $(1)

# The offline switches (HF_HUB_OFFLINE and the rest) live in reportqa/offline.py and are applied
# by every entry point (the reportqa command, tests/conftest.py), so none are repeated here.

.PHONY: run test test-all ingest-examples chromium bench load clean

$(PY):
	$(call step,"[1/4] creating the Python environment in $(VENV) (once)")
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# torch first and pinned: 2.13.0 is a CPU build on local disk; a bare `torch` pulls CUDA.
$(VENV)/.torch: | $(PY)
	$(call step,"[2/4] installing torch 2.13.0 (CPU; once)")
	$(PY) -m pip install torch==2.13.0 2>&1 | $(PIP_LINES)
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(call step,"[3/4] installing reportqa and its libraries (once; a few minutes)")
	$(PY) -m pip install -e '.[dev]' 2>&1 | $(PIP_LINES)
	touch $@

# Browser tests drive Debian's chromium; never `playwright install` (it downloads a browser).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

ingest-examples: $(VENV)/.installed
	$(call step,"[4/4] adding the example reports (unchanged ones are skipped)")
	$(BIN)/reportqa ingest examples/reports

# serve prints "reportqa is ready: open http://HOST:PORT" once the chat answers.
run: ingest-examples
	$(call step,"starting the chat on http://$(HOST):$(PORT) (loading the model takes a few seconds)")
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
