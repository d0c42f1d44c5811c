# 六安政务智能助手 — every target does its own set-up, so `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
# Tests and benchmarks bring their own PostgreSQL and Redis (scripts/with_test_servers.sh) unless
# POSTGRES_TEST_ADMIN_URL / REDIS_TEST_URL name running ones.
SERVERS := bash scripts/with_test_servers.sh

.PHONY: help setup envs run test lint unit rasa-test deploy-check eval intake-eval bench train index lock clean

help:
	@echo "make run    start the whole stack (gateway :8000, Rasa :5005, actions :5055)"
	@echo "make test   lint, unit/API/integration tests, Rasa validation and conversation tests"
	@echo "make eval   retrieval, routing, NLU and intake evaluation figures;  make bench  performance figures"

envs:
	@bash scripts/ensure_venv.sh app
	@bash scripts/ensure_venv.sh rasa

index: envs
	@$(PY) -m knowledge build

train: envs
	@bash scripts/train_if_stale.sh

setup: envs train index
	@bash scripts/vendor_echarts.sh
	@bash scripts/vendor_axe.sh >/dev/null
	@$(PY) -m api migrate

run: setup
	@$(PY) -m api seed-demo
	@$(PY) scripts/run_stack.py

# mypy: the gateway env for api/knowledge/contract/scripts; the Rasa env for actions/ and bot/, so they are
# checked against Rasa's and rasa-sdk's own annotations (pyproject.toml: follow_untyped_imports).
lint: envs
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy api knowledge contract scripts
	.venv-rasa/bin/python -m mypy --cache-dir .mypy_cache/rasa actions bot

unit: envs
	@bash scripts/ensure_chromium.sh
	$(SERVERS) bash -c '$(PY) -m pytest -q --ignore=tests/actions && \
	  .venv-rasa/bin/python -m pytest -q -p no:cacheprovider --confcutdir=tests/actions tests/actions'

rasa-test: train
	$(RASA) data validate --data nlu_data --domain domain.yml --config config.yml --fail-on-warnings
	$(RASA) test core --stories tests/rasa --model models/luan.tar.gz --fail-on-prediction-errors --out var/rasa-results

# Kubernetes manifests and Containerfiles: schema validation and checkov, in their own venv (docs/deployment.md).
deploy-check:
	@bash scripts/check_manifests.sh

test: setup lint unit rasa-test deploy-check

eval: setup
	$(PY) -m knowledge eval
	$(PY) -m knowledge route-eval
	$(RASA) test nlu --nlu tests/nlu/holdout.yml --model models/luan.tar.gz --out var/nlu-results --successes
	$(PY) scripts/nlu_report.py var/nlu-results
	$(PY) scripts/intake_eval.py

# Requests driven through the whole stack as new residents (its own stack on free ports, SQLite).
intake-eval: setup
	$(PY) scripts/intake_eval.py

bench: setup
	@command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; } || true
	$(PY) -m knowledge bench
	$(PY) -m knowledge route-bench
	$(SERVERS) bash -c '$(PY) scripts/bench_api.py && $(PY) scripts/bench_chat.py && $(PY) scripts/bench_analytics.py'
	$(PY) scripts/bench_departments.py

lock:
	$(PY) -m pip freeze --exclude-editable > requirements/app.lock

clean:
	rm -rf var/index var/rasa-results var/nlu-results models test-artifacts
