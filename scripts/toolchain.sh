#!/usr/bin/env bash
# Makes sure the toolchain rust-toolchain.toml pins is installed with the targets and components
# it lists, before make's first cargo call. rustup installs them itself only when it installs the
# toolchain; a machine that already has that Rust release (a CI image, an earlier project) gets
# neither the wasm targets nor rustfmt/clippy from the toolchain file (rust-lang/rustup#4216), and
# the first wasm build then fails with E0463 "can't find crate for std".
#
# Prints nothing when nothing is missing. RUSTUP overrides the rustup command (tests use a stub).
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTUP="${RUSTUP:-rustup}"
file=rust-toolchain.toml

if ! command -v "$RUSTUP" >/dev/null 2>&1; then
    echo "toolchain: rustup is not on PATH, so the targets and components of $file cannot be" \
        "checked; install rustup (https://rustup.rs) if a build fails for a missing target" >&2
    exit 0
fi

# The quoted strings of one `key = ...` line of the toolchain file.
list() { sed -n "s/^$1 *= *//p" "$file" | grep -o '"[^"]*"' | tr -d '"' || true; }
channel="$(list channel)"
profile="$(list profile)"
targets="$(list targets)"
components="$(list components)"
[ -n "$channel" ] || { echo "toolchain: $file names no channel" >&2; exit 1; }

if ! "$RUSTUP" toolchain list | grep -q "^$channel-"; then
    echo "toolchain: installing Rust $channel with its targets and components ($file)" >&2
    args=(toolchain install "$channel" --profile "${profile:-minimal}")
    for t in $targets; do args+=(--target "$t"); done
    for c in $components; do args+=(--component "$c"); done
    "$RUSTUP" "${args[@]}"
    exit 0
fi

installed_targets="$("$RUSTUP" target list --installed --toolchain "$channel")"
missing_targets=()
for t in $targets; do
    grep -qx "$t" <<<"$installed_targets" || missing_targets+=("$t")
done
if [ ${#missing_targets[@]} -gt 0 ]; then
    echo "toolchain: adding target ${missing_targets[*]} to Rust $channel ($file)" >&2
    "$RUSTUP" target add --toolchain "$channel" "${missing_targets[@]}"
fi

# Installed components carry the host triple (`clippy-x86_64-unknown-linux-gnu`).
installed_components="$("$RUSTUP" component list --installed --toolchain "$channel")"
missing_components=()
for c in $components; do
    grep -q "^$c\(-\|$\)" <<<"$installed_components" || missing_components+=("$c")
done
if [ ${#missing_components[@]} -gt 0 ]; then
    echo "toolchain: adding component ${missing_components[*]} to Rust $channel ($file)" >&2
    "$RUSTUP" component add --toolchain "$channel" "${missing_components[@]}"
fi
