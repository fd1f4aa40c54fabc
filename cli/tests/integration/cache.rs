//! The compiled-module cache through the binary: `check` stores the compiled policy under the
//! user's cache directory (or `--cache-dir`) and reads it on the next call, `--no-cache` leaves
//! no entry, a damaged entry is replaced and the verdicts stay the same. (The cache itself,
//! keys, corruption and eviction: unit tests in `cli/src/module_cache.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `check` on one manifest with the embedded policy and `XDG_CACHE_HOME` in `home`.
fn check(home: &Path, flags: &[&str]) -> Output {
    Command::new(common::bin())
        .current_dir(root())
        .arg("check")
        .args(flags)
        .args(["--settings", "examples/settings.yml", "examples/broken/bad-endpoint.yaml"])
        .env_remove("TEMPO_POLICY_WASM")
        .env("XDG_CACHE_HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = read.map(|e| e.unwrap().path()).collect();
    out.sort();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_stores_then_reuses_the_compiled_policy() {
    let home = common::scratch("cache-default");
    let dir = home.join("tempo-policy/modules");
    let first = check(&home, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", String::from_utf8_lossy(&first.stderr));
    let stored = entries(&dir);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].extension().is_some_and(|e| e == "cwasm"), "{stored:?}");
    // An entry is only ever written as a new file renamed over the old one, so the same inode
    // proves the second run read it and wrote nothing (equal bytes would not: a rewrite of the
    // same artifact gives the same bytes).
    let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&stored[0]).unwrap());
    let second = check(&home, &[]);
    assert_eq!(stdout(&second), stdout(&first));
    assert_eq!(entries(&dir), stored);
    let after = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&stored[0]).unwrap());
    assert_eq!(after, inode, "read, not written again");
}

#[test]
fn no_cache_leaves_nothing_and_cache_dir_moves_it() {
    let home = common::scratch("cache-flags");
    let o = check(&home, &["--no-cache"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(entries(&home.join("tempo-policy/modules")).is_empty());
    let elsewhere = home.join("elsewhere");
    let o = check(&home, &["--cache-dir", elsewhere.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(entries(&elsewhere).len(), 1);
    assert!(entries(&home.join("tempo-policy/modules")).is_empty());
    let o = check(&home, &["--no-cache", "--cache-dir", "x"]);
    assert_eq!(o.status.code(), Some(2), "the two flags conflict");
}

#[test]
fn a_damaged_entry_is_replaced_not_trusted() {
    let home = common::scratch("cache-damaged");
    let dir = home.join("tempo-policy/modules");
    let good = check(&home, &[]);
    let entry = entries(&dir).remove(0);
    let original = std::fs::read(&entry).unwrap();
    let mut damaged = original.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    for bytes in [damaged, original[..original.len() / 3].to_vec(), b"garbage".to_vec()] {
        std::fs::write(&entry, &bytes).unwrap();
        let o = check(&home, &[]);
        assert_eq!(stdout(&o), stdout(&good));
        let rewritten = std::fs::read(&entry).unwrap();
        assert!(rewritten != bytes && rewritten.starts_with(b"tpmc"), "the entry is rewritten");
    }
}
