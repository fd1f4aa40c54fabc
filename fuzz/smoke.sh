#!/usr/bin/env bash
# Bounded fuzzing for CI: builds the three cargo-fuzz targets and runs each for a bounded time
# (FUZZ_SECONDS, default 60), seeded from test-data. Exits non-zero on the first crash, leak or
# timeout; the reproducer is in fuzz/artifacts/<target>/.
# Needs a nightly toolchain and cargo-fuzz (cargo install --locked cargo-fuzz).
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
TOOLCHAIN="${FUZZ_TOOLCHAIN:-nightly}"
TARGETS=(validate_bytes validate_request validate_settings)

python3 seed.py
cargo "+$TOOLCHAIN" fuzz build --release --debug-assertions --sanitizer none
for t in "${TARGETS[@]}"; do
    dict=()
    [[ -f "$t.dict" ]] && dict=("-dict=$t.dict")
    echo "== $t: ${SECONDS_EACH}s"
    cargo "+$TOOLCHAIN" fuzz run --release --debug-assertions --sanitizer none "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 "${dict[@]}" -print_final_stats=1
done
echo "fuzz smoke: no crash in ${#TARGETS[@]} targets"
