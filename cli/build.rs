//! Puts the policy module into OUT_DIR for the binary to embed (feature `embedded-policy`, on by
//! default; see `src/embedded.rs`), so that an installed tool checks manifests without being
//! told where a policy is.
//!
//! Where the module comes from:
//! - `$TEMPO_POLICY_EMBED`, an absolute path to `policy.wasm`: what the Makefile sets, with the
//!   policy it has just built, so that the policy is built once;
//! - otherwise the policy crate of this workspace, built here for `wasm32-wasip1` with its `wasm`
//!   profile into OUT_DIR: what `cargo install --git ...` does.
//!
//! The tool annotates it in memory with `metadata.yml` and `docs/usage.md` (embedded too), with
//! the code `tempo-policy annotate` uses, which gives `annotated-policy.wasm` byte for byte. The
//! tool need not exist to build the policy it embeds: no chicken and egg. This script has no
//! dependencies of its own on purpose: build-dependencies join the features of the host build
//! graph, and a change there recompiles wasmtime.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Names a policy module to embed instead of building one.
const EMBED_ENV: &str = "TEMPO_POLICY_EMBED";

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo::rerun-if-env-changed={EMBED_ENV}");
    if std::env::var_os("CARGO_FEATURE_EMBEDDED_POLICY").is_none() {
        return Ok(());
    }
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir.parent().ok_or("the cli crate has no parent directory")?.to_path_buf();
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let module = match std::env::var_os(EMBED_ENV).filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            println!("cargo::rerun-if-changed={}", path.display());
            std::fs::read(&path).map_err(|e| format!("${EMBED_ENV} names {}: {e}", path.display()))?
        }
        None => build_policy(&root, &out_dir)?,
    };
    if !module.starts_with(b"\0asm") {
        return Err("the policy to embed is not a WebAssembly module".to_owned());
    }
    let embedded = out_dir.join("embedded-policy.wasm");
    // Written only when it changed, so that an unchanged policy does not relink the tool.
    if std::fs::read(&embedded).ok().as_deref() != Some(module.as_slice()) {
        std::fs::write(&embedded, &module).map_err(|e| format!("cannot write {}: {e}", embedded.display()))?;
    }
    Ok(())
}

/// Builds the workspace's policy crate as `make policy.wasm` does, in a target directory of its
/// own (the outer build holds the lock of the main one).
fn build_policy(root: &Path, out_dir: &Path) -> Result<Vec<u8>, String> {
    for watched in ["src", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml"] {
        println!("cargo::rerun-if-changed={}", root.join(watched).display());
    }
    let target_dir = out_dir.join("policy-target");
    // Under rustup, `cargo` in the workspace root picks the toolchain of rust-toolchain.toml
    // (rustup adds its wasm32-wasip1 target only when it installs that toolchain itself: the
    // error below says how to add it); without rustup, the cargo running this build.
    let under_rustup = std::env::var_os("RUSTUP_TOOLCHAIN").is_some();
    let cargo = if under_rustup { "cargo".to_owned() } else { env("CARGO")? };
    let mut command = Command::new(&cargo);
    command
        .current_dir(root)
        .args(["build", "--locked", "--profile", "wasm", "--target", "wasm32-wasip1", "-p", "tempo-policy"])
        .arg("--target-dir")
        .arg(&target_dir);
    // What the outer build set for the host must not reach the wasm build.
    for var in [
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
    ] {
        command.env_remove(var);
    }
    let status = command.status().map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the policy to embed failed ({status}). It needs the wasm32-wasip1 target \
             (`rustup target add wasm32-wasip1`); or set {EMBED_ENV} to a policy.wasm built \
             already, or build without the embedded policy (--no-default-features: then give \
             --policy or $TEMPO_POLICY_WASM)"
        ));
    }
    let built = target_dir.join("wasm32-wasip1/wasm/tempo_policy.wasm");
    std::fs::read(&built).map_err(|e| format!("cannot read {}: {e}", built.display()))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}
