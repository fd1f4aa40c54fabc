# tempo-policy: build, annotate, run and test the policy. Everything builds in release: the
# wasmtime-based host is slow to compile twice and slow to run unoptimised.

CARGO ?= cargo
TOOL := target/release/tempo-policy
POLICY_SRC := $(shell find src -name '*.rs') Cargo.toml Cargo.lock
HOST_SRC := $(shell find cli/src -name '*.rs') cli/Cargo.toml cli/build.rs
WASM_TARGET := target/wasm32-wasip1/release
POLICY_WASM_BUILD := target/wasm32-wasip1/wasm

.PHONY: all run test e2e-kwctl fmt lint lint-workflows release-check clean test-data test-data-check bench tool docs crds tools playground playground-build wasm-bindgen-cli test-browser bench-playground

all: annotated-policy.wasm $(TOOL)

policy.wasm: $(POLICY_SRC)
	$(CARGO) build --locked --profile wasm --target wasm32-wasip1 -p tempo-policy
	cp $(POLICY_WASM_BUILD)/tempo_policy.wasm policy.wasm

$(WASM_TARGET)/baseline_policy.wasm: baseline/src/lib.rs baseline/Cargo.toml
	$(CARGO) build --locked --release --target wasm32-wasip1 -p baseline-policy

# The tool embeds the annotated policy it is built with (cli/build.rs annotates it with
# metadata.yml and docs/usage.md, as `annotate` below does): handing it the policy.wasm built here
# spares a second build of the policy. Every cargo command below that builds the tool reads it.
export TEMPO_POLICY_EMBED := $(CURDIR)/policy.wasm

$(TOOL): policy.wasm metadata.yml docs/usage.md $(HOST_SRC) Cargo.lock
	$(CARGO) build --locked --release -p tempo-policy-cli

tool: $(TOOL)

# The playground: the engine for the browser (web/, wasm32-unknown-unknown, no waPC), its JS glue
# from wasm-bindgen (the CLI at exactly the crate's version), the page and the examples picker.
# Everything the page needs ends up in target/playground/, servable by any static host.
PLAYGROUND := target/playground
PLAYGROUND_PORT ?= 8080
WEB_WASM := target/wasm32-unknown-unknown/web/tempo_policy_web.wasm
WEB_SRC := $(shell find web/src web/page -type f) web/Cargo.toml web/examples.py \
	$(shell find check/src -name '*.rs') check/Cargo.toml metadata.yml examples/settings.yml \
	$(shell find examples -name '*.yaml')
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' web/Cargo.toml)

wasm-bindgen-cli:
	@wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)" \
		|| $(CARGO) install --force wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

$(WEB_WASM): $(WEB_SRC) $(POLICY_SRC)
	$(CARGO) build --locked --profile web --target wasm32-unknown-unknown -p tempo-policy-web

$(PLAYGROUND)/.built: $(WEB_WASM) $(shell find web/page -type f) web/examples.py examples/settings.yml $(shell find examples -name '*.yaml') | wasm-bindgen-cli
	rm -rf $(PLAYGROUND) && mkdir -p $(PLAYGROUND)/pkg
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir $(PLAYGROUND)/pkg $(WEB_WASM)
	cp web/page/* $(PLAYGROUND)/
	python3 web/examples.py examples > $(PLAYGROUND)/examples.js
	touch $@

playground-build: $(PLAYGROUND)/.built

# The playground's size and speed in headless Chromium, against the same check natively.
bench-playground: playground-build
	$(CARGO) run --locked --release -p tempo-policy-web --example page_bench

# Build the page and serve it on 127.0.0.1 (PLAYGROUND_PORT=8080 by default).
playground: playground-build
	@echo "tempo-policy playground: http://127.0.0.1:$(PLAYGROUND_PORT)/  (Ctrl-C stops the server)"
	python3 -m http.server --bind 127.0.0.1 --directory $(PLAYGROUND) $(PLAYGROUND_PORT)

# The module carries a short usage text (what `kwctl inspect` shows), not the whole manual.
annotated-policy.wasm: policy.wasm metadata.yml docs/usage.md $(TOOL)
	$(TOOL) annotate -m metadata.yml -u docs/usage.md -o annotated-policy.wasm policy.wasm

# The main job: the checker on the shipped example manifests, as a CI step would run it, with
# the policy built into the tool (no --policy), as an installed one runs.
run: annotated-policy.wasm
	$(TOOL) check --settings examples/settings.yml examples/ || test $$? -eq 1

# INSTA_UPDATE=no: a changed rejection or warning text fails against test-data/snapshots until it
# is reviewed and accepted (`INSTA_UPDATE=always` or `cargo insta review`), and no .snap.new is left.
test: fmt lint lint-workflows tools test-data-check crds annotated-policy.wasm $(WASM_TARGET)/baseline_policy.wasm playground-build
	INSTA_UPDATE=no $(CARGO) nextest run --locked --workspace --release --no-fail-fast
	$(MAKE) test-browser

# The playground's export under wasm-bindgen-test in headless Chromium (chromedriver: Debian's
# chromium-driver, or $$CHROMEDRIVER; browser flags in web/webdriver.json). The page itself is
# tested by web/tests/page.rs in the nextest run above.
CHROMEDRIVER ?= /usr/bin/chromedriver
test-browser: wasm-bindgen-cli
	cd web && CHROMEDRIVER=$(CHROMEDRIVER) CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		$(CARGO) test --locked --target wasm32-unknown-unknown -p tempo-policy-web --lib --tests

# The upstream CRDs the tests validate against, pinned with their checksums in crds.lock, into a
# cache outside the repository; without network, set TEMPO_POLICY_CRDS_DIR to a folder holding them.
crds:
	bash scripts/crds.sh

# Tools `make test` runs, installed (or a broken one replaced) when they fail to start:
# cargo-nextest, and PyYAML for test-data/generate.py (test-data-check).
tools:
	@$(CARGO) nextest --version >/dev/null 2>&1 || $(CARGO) install --locked --force cargo-nextest
	@python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml

e2e-kwctl: annotated-policy.wasm
	@if command -v kwctl >/dev/null 2>&1; then \
		KWCTL=kwctl python3 test-data/kwctl-e2e.py annotated-policy.wasm; \
	else \
		echo "kwctl is not on PATH: skipping the kwctl end-to-end run (the project's own host runs the same table in 'make test')"; \
	fi

fmt:
	$(CARGO) fmt --all -- --check

lint: policy.wasm
	$(CARGO) clippy --locked --workspace --all-targets --release -- -D warnings
	$(CARGO) clippy --locked -p tempo-policy-web --lib --tests --target wasm32-unknown-unknown -- -D warnings

# actionlint on .github/workflows: a broken workflow fails here, not on the first tag.
lint-workflows:
	bash .ci/lint-workflows

# Every check the release workflow makes before it pushes, offline; RELEASE_TAG=vX.Y.Z checks the
# tag you are about to push (default: the version in metadata.yml). Writes dist/.
release-check:
	bash .ci/release-check

test-data:
	python3 test-data/generate.py

# The committed requests and replay sessions are what generate.py writes from scenarios.yml: a
# scenario edited without regenerating (or a generated file edited by hand) fails here.
test-data-check:
	python3 test-data/generate.py
	@git diff --exit-code --stat -- test-data/requests test-data/replay || \
		{ echo "test-data/requests or replay differ from what generate.py writes: commit its output"; exit 1; }
	@untracked="$$(git ls-files --others --exclude-standard -- test-data/requests test-data/replay)"; \
		test -z "$$untracked" || { echo "generate.py wrote files that are not committed: $$untracked"; exit 1; }

clean:
	$(CARGO) clean
	rm -f policy.wasm annotated-policy.wasm
	rm -rf dist

# Benchmarks (issue 7): the policy against the do-nothing baseline through the same host, warm and
# fresh instances, plus the rules compiled natively (the `bench` example links the policy crate;
# `tempo-policy bench` gives the same report without the native figures). BENCH_ARGS adds flags,
# e.g. `make bench BENCH_ARGS="--iterations 500 --format json"`.
BENCH_ARGS ?=
bench: annotated-policy.wasm $(WASM_TARGET)/baseline_policy.wasm
	$(CARGO) run --locked --release -p tempo-policy-cli --example bench -- \
		--policy annotated-policy.wasm --baseline $(WASM_TARGET)/baseline_policy.wasm $(BENCH_ARGS)

# Regenerates the generated parts of the docs (rule tables, docs/rules.md) from the rule registry
# and the rule modules' doc comments.
docs:
	UPDATE_DOCS=1 $(CARGO) test --release -p tempo-policy --test docs
