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

/// `check` on one manifest with the embedded policy, `XDG_CACHE_HOME` in `home` and the cache's
/// key under `home/config` (`XDG_CONFIG_HOME`).
fn check(home: &Path, flags: &[&str]) -> Output {
    Command::new(common::bin())
        .current_dir(root())
        .arg("check")
        .args(flags)
        .args(["--settings", "examples/settings.yml", "examples/broken/bad-endpoint.yaml"])
        .env_remove("TEMPO_POLICY_WASM")
        .env("XDG_CACHE_HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
}

/// Bytes of the format tag and of the HMAC before an entry's artifact.
const HEADER: usize = 8 + 32;

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

/// Issue 20: whoever can write the cache directory but not read the user's key (a shared
/// --cache-dir, a CI cache restored from another branch) puts another policy's compiled code
/// under the entry's name: with its SHA-256 recomputed, as the old format would have accepted,
/// or tagged under their own key. It is compiled again, never run: the verdict is the
/// untampered one. (The other policy: the do-nothing baseline, which would accept everything.)
#[test]
fn another_policys_code_in_the_cache_is_never_run() {
    use sha2::{Digest, Sha256};
    let attacker = common::scratch("cache-attacker");
    let baseline = annotated_baseline(&attacker);
    let o = check(&attacker, &["--policy", baseline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "the baseline accepts everything: {}", stderr(&o));
    let planted = std::fs::read(entries(&attacker.join("tempo-policy/modules")).remove(0)).unwrap();

    let home = common::scratch("cache-victim");
    let good = check(&home, &[]);
    assert_eq!(good.status.code(), Some(1));
    let entry = entries(&home.join("tempo-policy/modules")).remove(0);
    let artifact = &planted[HEADER..];
    let mut recomputed = planted[..8].to_vec();
    recomputed.extend_from_slice(&Sha256::digest(artifact));
    recomputed.extend_from_slice(artifact);
    for (what, bytes) in [("tagged under another key", planted.clone()), ("SHA-256 recomputed", recomputed)] {
        std::fs::write(&entry, &bytes).unwrap();
        let o = check(&home, &[]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", stderr(&o));
        assert_eq!(stdout(&o), stdout(&good), "{what}");
        assert_ne!(std::fs::read(&entry).unwrap(), bytes, "{what}: the entry is rewritten");
    }
}

/// Issue 20: a cache directory anyone can write is not read or written; the run compiles and
/// says so on stderr in one line.
#[test]
fn a_world_writable_cache_directory_is_not_used() {
    let home = common::scratch("cache-world-writable");
    let dir = home.join("shared");
    std::fs::create_dir_all(&dir).unwrap();
    chmod(&dir, 0o777);
    let o = check(&home, &["--cache-dir", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(entries(&dir).is_empty(), "nothing written: {:?}", entries(&dir));
    let note = stderr(&o);
    assert_eq!(note.lines().count(), 1, "{note}");
    assert!(
        note.starts_with("note: the compiled-module cache was not used: the cache directory ")
            && note.contains("can be written by others (mode 0777)"),
        "{note}"
    );
    assert_eq!(stdout(&o), stdout(&check(&home, &["--no-cache"])));
}

/// Issue 20: a key file others can read is refused: the run compiles and says so.
#[test]
fn a_key_others_can_read_is_refused() {
    let home = common::scratch("cache-key-readable");
    assert_eq!(check(&home, &[]).status.code(), Some(1));
    let key = home.join("config/tempo-policy/module-cache.key");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    chmod(&key, 0o644);
    let o = check(&home, &[]);
    assert!(stderr(&o).contains("cannot read the cache key") && stderr(&o).contains("(mode 0644)"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
}

/// The baseline policy, annotated with the tool, in `dir`.
fn annotated_baseline(dir: &Path) -> PathBuf {
    common::annotate_into(dir, "baseline", &std::fs::read(common::baseline_wasm()).unwrap(), common::METADATA)
}
