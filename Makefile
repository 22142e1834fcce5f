# The two commands: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run demo test install lock openapi bench bench-full soak migration clean

# uv installs the lock's pins in seconds where pip took 45 s of a fresh clone's `make test` (docs/operations.md);
# it is pinned here and in the Dockerfile (tests/shared/test_lock_file.py holds them equal). It compiles the
# bytecode at install, as pip did: where PYTHONDONTWRITEBYTECODE is set (this CI's machines) a process would
# otherwise compile every library it imports at every start, 4 s more for each service process.
UV := uv==0.13.9

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(UV)
	$(PY) -m uv pip install --quiet --compile-bytecode --python $(PY) -c requirements.lock -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## Re-resolve every dependency and pin it in requirements.lock (commit the result).
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(UV)
	$(PY) -m scripts.lock

## Start both services on SQLite (school 127.0.0.1:8001, police 127.0.0.1:8002); Ctrl-C stops both.
run: $(STAMP)
	$(PY) -m scripts.run_dev

## One aggravated case from disclosure to the police outcome and back, on its own throw-away services.
demo: $(STAMP)
	$(PY) -m scripts.demo

## Run the whole suite on SQLite, then on PostgreSQL (started if it is down; throw-away databases).
test: $(STAMP)
	bash scripts/test.sh

## Regenerate openapi/*.json and docs generated from the code (docs/access-policy.md).
openapi: $(STAMP)
	$(PY) -m scripts.export_openapi
	$(PY) -m scripts.access_policy_doc

## Autogenerate a migration: make migration service=school_api m="add devices"
migration: $(STAMP)
	$(PY) -m scripts.new_migration $(service) "$(m)"

## Benchmark the services against the bare stack on PostgreSQL (docs/performance.md); about 6 minutes.
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

## The same with the growth run up to 1,000,000 incidents/reports/persons.
bench-full: $(STAMP)
	$(PY) -m bench.run --full $(BENCH_ARGS)

## Soak the hand-off: 2,000 referrals from 20 clients while the police restart 3 times (docs/handoff.md).
## SOAK_ARGS="--backend postgresql" for PostgreSQL.
soak: $(STAMP)
	$(PY) -m scripts.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info
