# Two commands on a fresh machine with Python >= 3.11: `make plan` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CODE := components stacks policies hlz tools

.PHONY: plan test lint typecheck unit docs docs-check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Offline plan of every example stack (no credentials, no Pulumi CLI).
plan: $(STAMP)
	$(BIN)/hlz plan --all --out-dir plans

## Lint, type-check, generated-docs check and the test suite.
test: lint typecheck docs-check unit

lint: $(STAMP)
	$(BIN)/ruff check $(CODE) tests docs/labs

typecheck: $(STAMP)
	$(BIN)/pyright $(CODE)

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2

## Regenerate docs/configuration.md, docs/components.md, policies/RULES.md, the pack configs,
## policies/taggable_types.json (tools/docs.py) and the architecture diagrams (the test suite
## checks the diagrams against fresh plans).
docs: $(STAMP)
	$(BIN)/python tools/docs.py write
	$(BIN)/hlz graph lz-prod --out docs/architecture/lz-prod.md
	$(BIN)/hlz graph lab-prod --out docs/architecture/lab-prod.md

docs-check: $(STAMP)
	$(BIN)/python tools/docs.py check

## Plan time and memory of lz-prod against the SDK floor, policy speed, and `hlz plan --all`
## over BENCH_FLEET generated labs with --jobs 1 and --jobs <CPUs>: about 4 minutes on 2 CPUs
## (BENCH_FLEET=50, the run BENCHMARKS.md documents: about 11).
BENCH_FLEET ?= 10
bench: $(STAMP)
	$(BIN)/python tools/bench.py --fleet $(BENCH_FLEET)

clean:
	rm -rf plans .pytest_cache
