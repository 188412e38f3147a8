# Concord — one command to run it, one to test it. Everything installs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen
CONCORD_CHROMIUM ?= /usr/bin/chromium
ROLE ?= operator
ALLIANCE ?=

.PHONY: help deps chromium up down test test-fast test-faults test-replicas lint schema release-schema token bench chart-examples

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock libs/*/pyproject.toml services/*/pyproject.toml
	@command -v uv >/dev/null || python3 -m uv --version >/dev/null 2>&1 || { \
	  echo "Installing uv (Python package manager)…"; python3 -m pip install --quiet uv; }
	$(UV) sync --frozen
	@touch $@

# checkov (tests/deploy/test_checkov.py) in an environment of its own: its pin of packaging<24
# conflicts with the services' dependencies (the `checkov` group of pyproject.toml).
.venv-checkov/.synced: pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=.venv-checkov $(UV) sync --frozen --no-default-groups --only-group checkov
	@touch $@

gateway/node_modules/.installed: gateway/package.json gateway/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20+) is required: apt-get install nodejs npm"; exit 1; }
	npm ci --prefix gateway --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser download), and a
# Chinese font for it.
chromium:
	@[ -x "$(CONCORD_CHROMIUM)" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests (apt-get install chromium)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: $(CONCORD_CHROMIUM) is missing; the browser tests need it (as root: apt-get install chromium)"; \
	  fi; }
	@# A CJK font, so that the Chinese pages (and their screenshots) show characters, not boxes.
	@{ ! command -v fc-list >/dev/null || [ -n "$$(fc-list :lang=zh 2>/dev/null)" ]; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing a Chinese font for the browser tests (apt-get install fonts-wqy-microhei)…"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || { \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }; \
	  else \
	    echo "note: no Chinese font; the Chinese dashboards show boxes (as root: apt-get install fonts-wqy-microhei)"; \
	  fi; }

deps: .venv/.synced .venv-checkov/.synced gateway/node_modules/.installed chromium

up: .venv/.synced gateway/node_modules/.installed ## start the whole platform locally with demo data (REPLICAS=2 WORKERS=2 NATS=cluster)
	$(if $(REPLICAS),CONCORD_DEV_REPLICAS=$(REPLICAS)) $(if $(WORKERS),CONCORD_DEV_WORKERS=$(WORKERS)) \
	  $(if $(NATS),CONCORD_DEV_NATS=$(NATS)) $(RUN) python scripts/dev.py up

down: ## stop everything 'make up' started
	@if [ -x .venv/bin/python ]; then $(RUN) python scripts/dev.py down; else echo "nothing to stop"; fi

test: deps ## run every test (unit, integration, end-to-end, chart) but the fault tests
	$(RUN) pytest -p no:cacheprovider -m "not faults" $(PYTEST_ARGS)

test-faults: deps ## the platform under load and faults (replicas, NATS down, SIGKILL, parked events, a NATS cluster); figures printed
	$(RUN) pytest -p no:cacheprovider -m faults -s tests/faults $(PYTEST_ARGS)

# test_make_up_anywhere starts its own `make up` in a copy of the checkout: it does not run on
# the replicated platform, and `make test` runs it already.
test-replicas: deps ## the end-to-end suite against two API replicas and two worker processes of every service
	CONCORD_E2E_REPLICAS=2 CONCORD_E2E_WORKERS=2 $(RUN) pytest -p no:cacheprovider -m e2e tests/e2e \
	  --deselect tests/e2e/test_make_up_anywhere.py $(PYTEST_ARGS)

test-fast: deps ## every test but the end-to-end ones (the inner loop)
	$(RUN) pytest -p no:cacheprovider -m "not e2e and not faults" $(PYTEST_ARGS)

lint: .venv/.synced gateway/node_modules/.installed ## ruff, mypy, import contracts, no undeclared breaking API change
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports
	node gateway/schema-check.mjs

schema: deps ## export each subgraph's SDL and compose the supergraph
	$(RUN) python -m servicekit.sdl export
	node gateway/compose.mjs
	cp gateway/supergraph.graphql deploy/helm/concord/files/supergraph.graphql

chart-examples: .venv/.synced ## render the chart's small and large examples into deploy/helm/examples/
	$(RUN) python scripts/chart_examples.py

release-schema: gateway/node_modules/.installed ## at a release: the current supergraph becomes the baseline of the schema check
	node gateway/schema-check.mjs --release

token: .venv/.synced ## print a development token: make token ROLE=secretariat ALLIANCE=aii
	@$(RUN) concord-token --role $(ROLE) $(if $(ALLIANCE),--alliance $(ALLIANCE))

NAME ?=
bench: deps ## every benchmark in bench/ (results in bench/results/, tables in docs/benchmarks.md); one: make bench NAME=subgraph_costs
	$(RUN) python bench/run.py $(NAME)
