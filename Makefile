# tempo-policy: build, annotate, run and test the policy.
#
# The host side (the `tempo-policy` tool, wasmtime, and every test) is one cargo build with the
# `quick` profile (Cargo.toml): `make run` builds what `make test` then only runs, and no second
# feature set rebuilds wasmtime (docs/development.md#build-profiles). policy.wasm and the
# playground's module have their own size profiles.

CARGO ?= cargo
PROFILE ?= quick
TOOL := target/$(PROFILE)/tempo-policy
POLICY_SRC := $(shell find src -name '*.rs') Cargo.toml Cargo.lock
# Every source of the host build: all crates, their tests and examples, and what build.rs embeds.
HOST_SRC := $(shell find src tests cli check lookups web/src web/tests web/examples -name '*.rs') \
	$(wildcard */Cargo.toml) Cargo.toml Cargo.lock metadata.yml docs/usage.md
WASM_TARGET := target/wasm32-wasip1/release
POLICY_WASM_BUILD := target/wasm32-wasip1/wasm

.PHONY: all run test e2e-kwctl fmt lint lint-workflows release-check clean test-data test-data-check bench tool tool-path docs crds tools toolchain playground playground-build wasm-bindgen-cli bench-playground

all: annotated-policy.wasm $(TOOL)

# rustup adds what rust-toolchain.toml lists only when it installs the toolchain itself: this adds
# the wasm targets and components to a Rust that is already there, and prints nothing otherwise.
toolchain:
	@bash scripts/toolchain.sh

policy.wasm: $(POLICY_SRC) | toolchain
	$(CARGO) build --locked --profile wasm --target wasm32-wasip1 -p tempo-policy
	cp $(POLICY_WASM_BUILD)/tempo_policy.wasm policy.wasm

$(WASM_TARGET)/baseline_policy.wasm: $(wildcard baseline/src/*.rs) baseline/Cargo.toml | toolchain
	$(CARGO) build --locked --release --target wasm32-wasip1 -p baseline-policy

# The tool embeds the annotated policy it is built with (cli/build.rs annotates it with
# metadata.yml and docs/usage.md, as `annotate` below does): handing it the policy.wasm built here
# spares a second build of the policy. Every cargo command below that builds the tool reads it.
export TEMPO_POLICY_EMBED := $(CURDIR)/policy.wasm

# The tool and every test target, as `cargo nextest run` builds them: one feature set for the
# whole workspace, dev-dependencies included (a build of the tool alone enables fewer features in
# crates wasmtime shares, so the test build would compile wasmtime and Cranelift again).
$(TOOL): policy.wasm $(HOST_SRC) | toolchain
	$(CARGO) test --locked --workspace --profile $(PROFILE) --no-run
	@touch $@

tool: $(TOOL)

tool-path:
	@echo $(TOOL)

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

# Installed unoptimised (opt-level 1, no LTO): it processes one module per build, and compiles in
# half the time.
wasm-bindgen-cli: | toolchain
	@wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)" \
		|| CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
		$(CARGO) install --force wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

# -D warnings: the engine without its `guest` feature is compiled only here, so a warning that
# only that configuration has (dead code, an unused import) fails here rather than nowhere.
# (RUSTFLAGS with --target reaches neither build scripts nor dependencies' warnings, which cargo
# caps.)
$(WEB_WASM): $(WEB_SRC) $(POLICY_SRC) | toolchain
	RUSTFLAGS="-D warnings" $(CARGO) build --locked --profile web --target wasm32-unknown-unknown -p tempo-policy-web

$(PLAYGROUND)/.built: $(WEB_WASM) $(shell find web/page -type f) web/examples.py examples/settings.yml $(shell find examples -name '*.yaml') | wasm-bindgen-cli
	rm -rf $(PLAYGROUND) && mkdir -p $(PLAYGROUND)/pkg
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir $(PLAYGROUND)/pkg $(WEB_WASM)
	cp web/page/* $(PLAYGROUND)/
	python3 web/examples.py examples > $(PLAYGROUND)/examples.js
	touch $@

playground-build: $(PLAYGROUND)/.built

# The playground's size and speed in headless Chromium, against the same check natively.
bench-playground: playground-build | toolchain
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
# Cheap checks first, so that a formatting slip fails in seconds. The playground's page and its
# export run in headless Chromium from web/tests (chromedriver: $$CHROMEDRIVER, else Debian's
# /usr/bin/chromedriver).
test: tools fmt lint-workflows test-data-check crds lint annotated-policy.wasm $(WASM_TARGET)/baseline_policy.wasm playground-build
	INSTA_UPDATE=no $(CARGO) nextest run --locked --workspace --cargo-profile $(PROFILE) --no-fail-fast

# The upstream CRDs the tests validate against, pinned with their checksums in crds.lock, into a
# cache outside the repository; without network, set TEMPO_POLICY_CRDS_DIR to a folder holding them.
crds:
	bash scripts/crds.sh

# Tools `make test` runs, installed (or a broken one replaced) when they fail to start:
# cargo-nextest, PyYAML for test-data/generate.py (test-data-check), actionlint (lint-workflows).
tools: | toolchain
	@$(CARGO) nextest --version >/dev/null 2>&1 || $(CARGO) install --locked --force cargo-nextest
	@python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml
	@bash .ci/lint-workflows install

# The scenario table through a real kwctl: policy.wasm annotated by kwctl itself, every
# scenario run with `kwctl run` (test-data/kwctl-e2e.py). Needs kwctl on PATH (the CI workflow
# installs a pinned release); without it, it says so and does nothing.
KWCTL_ANNOTATED := target/kwctl/annotated-policy.wasm
e2e-kwctl: policy.wasm
	@if command -v kwctl >/dev/null 2>&1; then \
		mkdir -p $(dir $(KWCTL_ANNOTATED)) && \
		kwctl annotate -m metadata.yml -u docs/usage.md -o $(KWCTL_ANNOTATED) policy.wasm && \
		KWCTL=kwctl python3 test-data/kwctl-e2e.py $(KWCTL_ANNOTATED); \
	else \
		echo "*** SKIPPED: kwctl is not on PATH, so the kwctl end-to-end run did not happen" >&2; \
		echo "*** (install kwctl, docs/ci.md#kwctl; make test runs the same table through the project's own host)" >&2; \
	fi

fmt: | toolchain
	$(CARGO) fmt --all -- --check

# The build scripts clippy runs embed policy.wasm (cli/build.rs).
lint: policy.wasm | toolchain
	$(CARGO) clippy --locked --workspace --all-targets --profile $(PROFILE) -- -D warnings

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
bench: annotated-policy.wasm $(WASM_TARGET)/baseline_policy.wasm | toolchain
	$(CARGO) run --locked --release -p tempo-policy-cli --example bench -- \
		--policy annotated-policy.wasm --baseline $(WASM_TARGET)/baseline_policy.wasm $(BENCH_ARGS)

# Regenerates the generated parts of the docs (rule tables, docs/rules.md) from the rule registry
# and the rule modules' doc comments.
docs: | toolchain
	UPDATE_DOCS=1 $(CARGO) test --locked --profile $(PROFILE) -p tempo-policy --test integration -- docs::
