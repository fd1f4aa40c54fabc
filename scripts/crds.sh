#!/usr/bin/env bash
# make crds: puts the upstream CRDs listed in crds.lock into the cache folder, each checked
# against its SHA-256. A file already in the cache with the right checksum is kept; otherwise it
# is copied from $TEMPO_POLICY_CRDS_DIR when that is set (machines without network), or fetched
# from its pinned URL. A file whose checksum does not match is never written to the cache.
#
# Usage: scripts/crds.sh [LOCK_FILE]   (default: crds.lock beside this script's parent)
# Cache: $TEMPO_POLICY_CRDS_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/tempo-policy/crds
# (tests/support/crd.rs reads the same place).
set -euo pipefail

lock="${1:-$(dirname "$0")/../crds.lock}"
cache="${TEMPO_POLICY_CRDS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tempo-policy/crds}"
source_dir="${TEMPO_POLICY_CRDS_DIR:-}"

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1 # macOS
    fi
}

mkdir -p "$cache"
status=0
while read -r file sum url; do
    case "$file" in '' | '#'*) continue ;; esac
    dest="$cache/$file"
    if [ -f "$dest" ] && [ "$(sha256 "$dest")" = "$sum" ]; then
        continue
    fi
    tmp="$(mktemp "$cache/.$file.XXXXXX")"
    if [ -n "$source_dir" ]; then
        from="$source_dir/$file"
        if ! cp "$from" "$tmp" 2>/dev/null; then
            echo "crds: $from is missing (TEMPO_POLICY_CRDS_DIR=$source_dir); unset the variable to fetch $url" >&2
            rm -f "$tmp"; status=1; continue
        fi
    else
        from="$url"
        if ! curl --fail --silent --show-error --location --retry 3 --output "$tmp" "$url"; then
            echo "crds: cannot fetch $url; without network, set TEMPO_POLICY_CRDS_DIR to a folder holding $file" >&2
            rm -f "$tmp"; status=1; continue
        fi
    fi
    got="$(sha256 "$tmp")"
    if [ "$got" != "$sum" ]; then
        echo "crds: $from has SHA-256 $got, crds.lock pins $sum: not using it" >&2
        rm -f "$tmp"; status=1; continue
    fi
    mv "$tmp" "$dest"
    echo "crds: $file ($from)"
done <"$lock"
exit "$status"
