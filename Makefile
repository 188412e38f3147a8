# Concord — one command to run it, one to test it. Everything installs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen
ROLE ?= operator
ALLIANCE ?=

.PHONY: help deps up down test lint schema token bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock libs/*/pyproject.toml services/*/pyproject.toml
	@command -v uv >/dev/null || python3 -m uv --version >/dev/null 2>&1 || { \
	  echo "Installing uv (Python package manager)…"; python3 -m pip install --quiet uv; }
	$(UV) sync --frozen
	@touch $@

gateway/node_modules/.installed: gateway/package.json gateway/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20+) is required: apt-get install nodejs npm"; exit 1; }
	npm ci --prefix gateway --no-audit --no-fund --loglevel=error
	@touch $@

deps: .venv/.synced gateway/node_modules/.installed

up: deps ## start the whole platform locally with demo data
	$(RUN) python scripts/dev.py up

down: ## stop everything 'make up' started
	@if [ -x .venv/bin/python ]; then $(RUN) python scripts/dev.py down; else echo "nothing to stop"; fi

test: deps ## run every test (unit, integration, end-to-end, chart)
	$(RUN) pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: .venv/.synced ## ruff and mypy
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

schema: deps ## export each subgraph's SDL and compose the supergraph
	$(RUN) python -m servicekit.sdl export
	node gateway/compose.mjs
	cp gateway/supergraph.graphql deploy/helm/concord/files/supergraph.graphql

token: .venv/.synced ## print a development token: make token ROLE=secretariat ALLIANCE=aii
	@$(RUN) concord-token --role $(ROLE) $(if $(ALLIANCE),--alliance $(ALLIANCE))

bench: deps ## list-query throughput via the gateway vs. straight to the subgraph (a ratio)
	$(RUN) python bench/members_list.py
