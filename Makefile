# tap-amplitude: the commands a developer and CI use. `make test` works on a fresh clone.
SHELL := /bin/bash
NPM ?= npm
# Tests run in a zone far from UTC so that any local-time parsing of Amplitude's zone-less timestamps shows up.
TEST_TZ ?= America/New_York

.PHONY: all install build build-simulator typecheck test unit simulator demo bench integration mutate clean

all: build

node_modules/.package-lock.json: package.json package-lock.json
	TAP_AMPLITUDE_SKIP_PREPARE=1 $(NPM) ci --no-audit --no-fund
	@touch $@

install:
	TAP_AMPLITUDE_SKIP_PREPARE=1 $(NPM) ci --no-audit --no-fund

build: node_modules/.package-lock.json
	$(NPM) run --silent build

build-simulator: node_modules/.package-lock.json
	$(NPM) run --silent build:simulator

typecheck: node_modules/.package-lock.json
	$(NPM) run --silent typecheck

# Installs exactly the locked dependencies, builds, typechecks and runs every test.
test: install
	$(NPM) run --silent build
	$(NPM) run --silent build:simulator
	$(NPM) run --silent typecheck
	TZ=$(TEST_TZ) $(NPM) run --silent test -- --maxWorkers=2

# Only the jest suites, against what is already built.
unit:
	TZ=$(TEST_TZ) $(NPM) run --silent test -- --maxWorkers=2

# The Amplitude simulator in the foreground (PORT, default 8787; Ctrl-C stops it).
simulator: build-simulator
	node build/simulator/main.js

demo: build build-simulator
	node scripts/demo.mjs

bench: build build-simulator
	node scripts/bench.mjs

# The output loaded by the real Singer consumers found on PATH (singer-check-tap, target-jsonl,
# target-csv, target-postgres with pg-local), twice; not part of `make test` (see docs/integration.md).
integration: build build-simulator
	node scripts/integration.mjs

# Mutation testing of src/amplitude and src/singer with StrykerJS (slow; not part of `make test`).
# A green unit run first lists each test file's tests (for the sequencer); StrykerJS then runs
# once per group of files (scripts/mutation-groups.mjs), keeping its results in reports/ (not in
# git) so that a rerun tests only mutants whose code or tests changed; then the score is written
# into docs/mutation.md. `make mutate MUTATE='src/singer/log.ts'` mutates only those files and
# leaves docs/mutation.md alone; `make mutate GROUPS=chart` runs one group.
mutate: node_modules/.package-lock.json
	mkdir -p reports
	TZ=$(TEST_TZ) node --experimental-vm-modules node_modules/jest/bin/jest.js -c jest.mutate.config.js --maxWorkers=2 --silent --json --outputFile=reports/unit-tests.json
	node scripts/mutation-test-names.mjs reports/unit-tests.json reports/test-names.json
	TZ=$(TEST_TZ) node scripts/mutate.mjs $(GROUPS)
	$(if $(MUTATE),,node scripts/mutation-doc.mjs docs/mutation.md)

clean:
	rm -rf dist build coverage demo-output bench/data reports .stryker-tmp
