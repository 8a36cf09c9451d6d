# Two commands on a fresh machine: `make run` and `make test`. Everything else they need is installed here:
# uv (pinned, into .tools/), the Python dependencies (from uv.lock, into .venv/), and nginx (system package);
# `make test` also Node and npm (system packages), for the test against DHIS2's own period library and for
# axe-core, and Chromium with its driver (system packages), for the web app's browser tests.

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
SYNCED := $(VENV)/.synced
PROJECTS := pyproject.toml shared/pyproject.toml tools/devstack/pyproject.toml $(wildcard services/*/pyproject.toml)
# Tests run on both cores; files stay together so each end-to-end module starts its stack once.
TEST_WORKERS ?= 2

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help run test lint fmt token deps nginx node browser openapi bench bench-load bench-awards bench-reports bench-commendation bench-notifications clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -m venv $(TOOLS) >&2
	@$(TOOLS)/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION) >&2

# Compiled to bytecode at install: where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every process
# would otherwise compile its imports from source each time it starts, 4 s of CPU for a service or a relay
# instead of under 2 (the end-to-end stacks start a dozen processes each).
$(SYNCED): $(UV) uv.lock $(PROJECTS)
	@$(UV) sync --frozen --all-packages --quiet --compile-bytecode >&2
	@$(PY) -m compileall -q -j0 services shared tools >/dev/null
	@touch $@

# The policy scanner of the Kubernetes manifests (checkov) pins old versions of what the tests use; it has an
# environment of its own, resolved in the same lock file (pyproject.toml, the "policy" group).
POLICY_VENV := .venv-policy
POLICY_SYNCED := $(POLICY_VENV)/.synced
$(POLICY_SYNCED): $(UV) uv.lock pyproject.toml
	@UV_PROJECT_ENVIRONMENT=$(POLICY_VENV) $(UV) sync --frozen --only-group policy --no-install-workspace --quiet >&2
	@touch $@

deps: $(SYNCED) $(POLICY_SYNCED) ## install the Python dependencies (uv.lock)

nginx:
	@tools/bin/ensure-nginx

# The browser tests drive Debian's Chromium with its own driver (Playwright's browser download does not work
# here); both are system packages.
browser:
	@command -v chromium >/dev/null || tools/bin/ensure-package chromium
	@command -v chromedriver >/dev/null || tools/bin/ensure-package chromium-driver

# Debian's nodejs comes without npm (a package of its own); NodeSource's nodejs brings it along.
node:
	@command -v node >/dev/null || tools/bin/ensure-package nodejs
	@command -v npm >/dev/null || tools/bin/ensure-package npm

run: deps nginx ## start PostgreSQL (DATABASE_URL or embedded), migrations, the services and the gateway
	@$(PY) -m devstack run

test: deps nginx node browser ## run every test (unit, API, end-to-end through nginx, deploy checks)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: deps ## ruff (lint and format check), mypy strict, import-linter, vulture (dead code)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/vulture

fmt: deps ## format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

token: deps ## print a dev token: make -s token ROLE=<role>[,<role>] ORG_UNIT=<code> [SUB=<id>], or SERVICE=<name>
	@$(PY) -m devstack token $(if $(SERVICE),--service "$(SERVICE)",--role "$(ROLE)") $(if $(ORG_UNIT),--org-unit "$(ORG_UNIT)") $(if $(SUB),--sub "$(SUB)")

bench: deps nginx ## every benchmark (docs/benchmarks.md); writes .dev/bench*.json
	@command -v hey >/dev/null || tools/bin/ensure-package hey
	$(PY) -m devstack bench --output .dev/bench.json $(BENCH_ARGS)
	$(PY) -m devstack bench-awards --output .dev/bench-awards.json
	$(PY) -m devstack bench-reports --output .dev/bench-reports.json
	$(PY) -m devstack bench-commendation --output .dev/bench-commendation.json
	$(PY) -m devstack bench-notifications --output .dev/bench-notifications.json $(BENCH_NOTIFICATIONS_ARGS)
	$(PY) -m devstack bench-load --output .dev/bench-load.json $(BENCH_LOAD_ARGS)

bench-load: deps nginx ## 200 requests/s of mixed traffic for 10 minutes through the gateway (locust); writes .dev/bench-load.json
	$(PY) -m devstack bench-load --output .dev/bench-load.json $(BENCH_LOAD_ARGS)

bench-awards: deps nginx ## the nominations benchmark alone; writes .dev/bench-awards.json
	@command -v hey >/dev/null || tools/bin/ensure-package hey
	$(PY) -m devstack bench-awards --output .dev/bench-awards.json

openapi: deps ## write the merged OpenAPI document the gateway serves at /api/openapi.json (web/openapi.json)
	$(PY) -m devstack openapi

bench-reports: deps nginx ## the report downloads benchmark alone (chart, plan workbook); writes .dev/bench-reports.json
	$(PY) -m devstack bench-reports --output .dev/bench-reports.json

bench-commendation: deps nginx ## fairness, timeliness and a block's ranking alone; writes .dev/bench-commendation.json
	$(PY) -m devstack bench-commendation --output .dev/bench-commendation.json

bench-notifications: deps nginx ## the notifications benchmark alone; writes .dev/bench-notifications.json
	$(PY) -m devstack bench-notifications --output .dev/bench-notifications.json $(BENCH_NOTIFICATIONS_ARGS)

clean: ## remove installed tools and caches (keeps .dev/: the embedded database and dev keys)
	rm -rf $(TOOLS) $(VENV) .mypy_cache .ruff_cache .pytest_cache
