# Portcullis: the two everyday commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# wasm-opt (release builds) comes from the npm package binaryen in end2end/.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= always
# cargo-leptos compiles this into the server (it names the wasm file); setting it for every
# cargo command keeps binaries built by the test runner identical in that respect.
export LEPTOS_OUTPUT_NAME := portcullis

PG_TEST_URL := postgres://portcullis:portcullis@127.0.0.1:5432
SERVE_ARGS := $(if $(filter 1 yes true,$(DEMO)),--demo --demo-world,)

.PHONY: help run build test check unit-sqlite integration-postgres fuzz browser bench lighthouse deps clean-data

help:
	@echo "make run [DEMO=1]  build and serve http://127.0.0.1:3000 on SQLite (DEMO=1 seeds demo accounts and a demo world)"
	@echo "make test          every check: fmt, clippy, unit + integration (SQLite and PostgreSQL), browser"
	@echo "make build         release build: target/release/portcullis + target/site"
	@echo "make bench         release build, then the load benchmark"

run:
	@scripts/deps.sh run
	cargo leptos build --split
	target/debug/portcullis serve $(SERVE_ARGS)

build:
	@scripts/deps.sh build
	cargo leptos build --release --precompress --split

test:
	@scripts/deps.sh test
	@scripts/postgres.sh
	$(MAKE) --no-print-directory check
	cargo leptos build --split
	$(MAKE) --no-print-directory unit-sqlite integration-postgres fuzz browser

check:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p portcullis-app -p portcullis-frontend --no-default-features --features portcullis-app/hydrate --target wasm32-unknown-unknown -- -D warnings

# Unit tests of every crate, and the integration suite on SQLite.
unit-sqlite:
	cargo nextest run --workspace --no-fail-fast

# The same integration suite on PostgreSQL (one throw-away database per test, dropped afterwards). Selected with a
# filter rather than `-p`, so cargo resolves the same features and reuses the build above.
integration-postgres:
	PORTCULLIS_TEST_DATABASE=$(PG_TEST_URL) cargo nextest run --workspace -E 'package(portcullis) and kind(test)' --no-fail-fast \
	  || { scripts/postgres.sh; exit 1; }
	@scripts/postgres.sh

# Schemathesis against the debug build, with every check and the stateful phase, as an admin, a
# developer and the platform's gateway (scripts/fuzz-api.py); about two minutes.
fuzz:
	scripts/fuzz-api.py --max-examples 20

# Real Chromium against the real server; last, so its summary ends the output.
browser:
	cd end2end && node --test --test-concurrency=1 tests/

bench:
	@scripts/deps.sh bench
	cargo leptos build --release --precompress --split
	cargo run --release -p portcullis-bench -- --server target/release/portcullis
	$(MAKE) --no-print-directory lighthouse

# Lighthouse on / and /login of the release build (make build first): scores, LCP, bytes transferred.
lighthouse:
	@scripts/deps.sh bench
	CHROME_PATH=/usr/bin/chromium node bench/lighthouse/run.mjs

deps:
	@scripts/deps.sh test
