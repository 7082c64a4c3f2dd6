# goodstanding: the two set-up commands (demo, test) and the rest.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ACCOUNTS ?= 10000
DEMO_DAYS ?= 90
DEMO_DB ?= sqlite:///var/demo.db

.PHONY: demo test bench lint typecheck check clean screenshots

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Demo-only keys, made once under var/ (an operator keeps real ones outside the database).
DEMO_KEYS = GOODSTANDING_IDENTITY_KEYFILE=var/demo-identity.key \
            GOODSTANDING_RECORDS_MASTER_KEYFILE=var/demo-records.key

var/demo-identity.key: | $(STAMP)
	mkdir -p var
	$(BIN)/goodstanding identity generate-key --out $@

var/demo-records.key: | $(STAMP)
	mkdir -p var
	$(BIN)/goodstanding records keygen --out $@

demo: $(STAMP) var/demo-identity.key var/demo-records.key
	$(BIN)/goodstanding sim --accounts $(DEMO_ACCOUNTS) --days $(DEMO_DAYS) --seed 7 --out var/demo.jsonl
	rm -f var/demo.db var/demo.db-wal var/demo.db-shm
	$(DEMO_KEYS) $(BIN)/goodstanding --db $(DEMO_DB) ingest var/demo.jsonl --allow-future
	$(DEMO_KEYS) $(BIN)/goodstanding --db $(DEMO_DB) summary
	@echo "Console: http://127.0.0.1:8000/ (sign in with a token below; see docs/console.md)"
	@echo "API: http://127.0.0.1:8000/v1 (docs at http://127.0.0.1:8000/docs); demo tokens:"
	@for role in platform auditor; do \
	  printf '  %-20s ' $$role; $(BIN)/goodstanding --db $(DEMO_DB) token create --role $$role \
	    --label demo 2>/dev/null; done
	@for mod in m0001 m0002; do \
	  printf '  %-20s ' "moderator ($$mod)"; $(BIN)/goodstanding --db $(DEMO_DB) token create \
	    --role moderator --account $$mod --label demo 2>/dev/null; done
	@printf '  %-20s ' "member (a000001)"; $(BIN)/goodstanding --db $(DEMO_DB) token create \
	  --role member --account a000001 --label demo 2>/dev/null
	$(DEMO_KEYS) $(BIN)/goodstanding --db $(DEMO_DB) serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n auto --maxprocesses 4

# A PNG of each console page under var/screenshots/ (a throwaway sim, Debian's chromium).
screenshots: $(STAMP)
	$(BIN)/python tests/console_screenshots.py var/screenshots

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
