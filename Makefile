# Gongjian — run `make help` for the targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export GONGJIAN_DATA_DIR ?= $(CURDIR)/var

.DEFAULT_GOAL := help
.PHONY: help install demo serve test test-sqlite test-postgres test-postgres-half-1 test-postgres-half-2 test-sqlite-half-1 test-sqlite-half-2 lint bench messages vendor clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/gongjian: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(BIN)/gongjian  ## create .venv and install Gongjian with its pinned dependencies

demo: install  ## migrate a SQLite database, load the demo district and serve it on http://127.0.0.1:8000
	$(BIN)/gongjian demo

serve: install  ## serve the configured database on http://127.0.0.1:8000
	$(BIN)/gongjian serve

test: install lint  ## the whole suite on SQLite and on PostgreSQL, in halves two at a time, when GONGJIAN_TEST_DATABASE_URL is set
	$(BIN)/gongjian makemigrations --check --dry-run
	$(BIN)/gongjian check
	@if [ -n "$$GONGJIAN_TEST_DATABASE_URL" ]; then $(MAKE) --output-sync=target -j2 \
	test-postgres-half-1 test-sqlite-half-1 test-postgres-half-2 test-sqlite-half-2; \
	else $(MAKE) test-sqlite; echo "GONGJIAN_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-sqlite: install  ## the suite on SQLite
	env -u GONGJIAN_DATABASE_URL $(BIN)/python -m pytest

test-postgres: install  ## the suite on PostgreSQL (GONGJIAN_TEST_DATABASE_URL=postgres://user@host:5432/db)
	GONGJIAN_DATABASE_URL=$$GONGJIAN_TEST_DATABASE_URL $(BIN)/python -m pytest

# Halves of the suite (tests/conftest.py splits the files by their cost), so that `make test` keeps both cores busy
# to the end, two halves at a time; on PostgreSQL each half in its own database (<db>1, <db>2).
test-postgres-half-1 test-postgres-half-2: test-postgres-half-%: install
	GONGJIAN_TEST_SHARD=$*/2 GONGJIAN_DATABASE_URL=$${GONGJIAN_TEST_DATABASE_URL}$* $(BIN)/python -m pytest

test-sqlite-half-1 test-sqlite-half-2: test-sqlite-half-%: install
	GONGJIAN_TEST_SHARD=$*/2 env -u GONGJIAN_DATABASE_URL $(BIN)/python -m pytest

lint: install  ## ruff (lint and format), mypy (strict on the pure engines) and the import contracts (engines pure, apps import downward)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install  ## registry benchmark: import, export and list page at N=10,000 projects
	$(BIN)/python bench/registry.py

messages:  ## rebuild the English catalogue after changing UI strings (needs GNU gettext)
	cd src/gongjian && ../../$(BIN)/gongjian makemessages -l en --no-obsolete && ../../$(BIN)/gongjian compilemessages -l en

vendor:  ## fetch the pinned browser libraries (ECharts) from the npm registry into the static files and check their checksums
	bash tools/vendor.sh

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) var
