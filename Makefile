# sse-wasm: the two commands a new user runs are `make demo` and `make test`.
# Both install whatever is missing first (.ci/install-deps.sh).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM_TARGET := wasm32-unknown-unknown
RELEASE_WASM := $(or $(CARGO_TARGET_DIR),target)/$(WASM_TARGET)/release/sse_wasm.wasm
# binaryen from the npm registry (.ci/tools): Debian's wasm-opt 108 corrupts
# the externref table wasm-bindgen emits. The features are those rustc
# enables by default for wasm32 since 1.82.
WASM_OPT := .ci/tools/node_modules/.bin/wasm-opt
WASM_OPT_FLAGS := -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
	--enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue

# Every tests/browser_*.rs is a wasm-bindgen-test suite run in both browsers.
BROWSER_TESTS := $(patsubst tests/%.rs,--test %,$(wildcard tests/browser_*.rs))
WASM_TEST_ENV := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	WASM_BINDGEN_TEST_TIMEOUT=300

.PHONY: all deps build test test-native test-browser browser-chromium browser-firefox test-js demo bench size clean

all: build

deps:
	@.ci/install-deps.sh

## build: the npm-ready package (pkg/ holds the wasm-bindgen output, js/ wraps it)
build: deps
	cargo build --release --lib --target $(WASM_TARGET)
	rm -rf pkg
	wasm-bindgen --target web --out-dir pkg --out-name sse_wasm $(RELEASE_WASM)
	@# The runtime snippet's classes and helpers under a stable path (the
	@# glue imports the snippet under a hashed one; re-exporting keeps one
	@# module instance).
	snippet=$$(cd pkg && ls snippets/*/src/web/runtime.js) && \
	  printf "export { SSEError, SSEEvent, report, runtime } from './%s';\n" "$$snippet" > pkg/runtime.js
	$(WASM_OPT) $(WASM_OPT_FLAGS) pkg/sse_wasm_bg.wasm -o pkg/sse_wasm_bg.wasm
	@$(MAKE) --no-print-directory size

## size: raw and gzip -9 sizes of the release wasm and its JS glue
size:
	@for f in pkg/sse_wasm_bg.wasm pkg/sse_wasm.js; do \
	  printf '%-24s %8d bytes raw %8d bytes gzip -9\n' "$$(basename $$f)" "$$(stat -c %s $$f)" "$$(gzip -9 -c $$f | wc -c)"; \
	done

## test: every suite: native, headless Chromium, headless Firefox, JS/React
test: deps
	@$(MAKE) --no-print-directory test-native
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory test-js

test-native:
	cargo test --workspace
	cargo check --quiet --manifest-path fuzz/Cargo.toml

test-browser:
	.ci/with-server.sh $(MAKE) --no-print-directory browser-chromium browser-firefox

browser-chromium:
	@echo "== wasm-bindgen-test in headless Chromium"
	$(WASM_TEST_ENV) CHROMEDRIVER="$$(command -v chromedriver)" \
	  cargo test --no-fail-fast --target $(WASM_TARGET) $(BROWSER_TESTS)

browser-firefox:
	@echo "== wasm-bindgen-test in headless Firefox"
	$(WASM_TEST_ENV) GECKODRIVER="$$(command -v geckodriver)" \
	  cargo test --no-fail-fast --target $(WASM_TARGET) $(BROWSER_TESTS)

## test-js: the npm package, types and React hooks (tests/js), then the
## examples end to end (tests/demo); both drive Debian's Chromium.
test-js: build
	.ci/with-server.sh tests/js/run.sh
	tests/demo/run.sh

## demo: build, start the example server, print the example pages' URLs
demo: build
	examples/demo.sh

clean:
	cargo clean
	rm -rf pkg build node_modules

## bench: throughput against the peers on five workloads, in headless Chromium
## (BROWSER=firefox or all for Firefox too; tests/bench/run.sh documents the knobs)
bench: build
	tests/bench/run.sh
