//! `scripts/toolchain.sh`, which `make` runs before its first cargo call: on a machine whose
//! rustup already has the pinned Rust without the wasm targets (rustup then installs nothing
//! from rust-toolchain.toml), it adds exactly what is missing, and says nothing when nothing is.
//! Driven through a stub rustup that answers from a pretend installation and logs every call.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A pretend installation: the toolchains rustup lists, and the targets and components of 1.95.0.
struct Installed {
    toolchains: &'static [&'static str],
    targets: &'static [&'static str],
    components: &'static [&'static str],
}

struct Run {
    calls: Vec<String>,
    stderr: String,
}

fn run(name: &str, installed: &Installed) -> Run {
    let dir = std::env::temp_dir().join(format!("tempo-policy-toolchain-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("calls.log");
    let lines = |items: &[&str]| items.join("\n");
    let stub = format!(
        r#"#!/usr/bin/env bash
echo "$*" >> '{log}'
case "$1 $2" in
  "toolchain list") printf '%s\n' '{toolchains}' ;;
  "target list") printf '%s\n' '{targets}' ;;
  "component list") printf '%s\n' '{components}' ;;
esac
"#,
        log = log.display(),
        toolchains = lines(installed.toolchains),
        targets = lines(installed.targets),
        components = lines(installed.components),
    );
    let rustup = dir.join("rustup");
    std::fs::write(&rustup, stub).unwrap();
    std::fs::set_permissions(&rustup, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let output = Command::new("bash").arg(root().join("scripts/toolchain.sh")).env("RUSTUP", &rustup).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    Run { calls: calls.lines().map(str::to_string).collect(), stderr: String::from_utf8(output.stderr).unwrap() }
}

/// What rust-toolchain.toml pins, read independently of the script (a TOML parser, not sed).
fn pinned() -> (String, Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap();
    let toml: toml::Value = toml::from_str(&text).unwrap();
    let t = &toml["toolchain"];
    let list = |key: &str| t[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    (t["channel"].as_str().unwrap().to_string(), list("targets"), list("components"))
}

const HOST: &str = "x86_64-unknown-linux-gnu";
const ALL_COMPONENTS: &[&str] = &[
    "cargo-x86_64-unknown-linux-gnu",
    "clippy-x86_64-unknown-linux-gnu",
    "rust-std-x86_64-unknown-linux-gnu",
    "rustc-x86_64-unknown-linux-gnu",
    "rustfmt-x86_64-unknown-linux-gnu",
];

#[test]
fn the_pinned_toolchain_is_what_the_script_reads() {
    let (channel, targets, components) = pinned();
    assert_eq!(channel, "1.95.0");
    assert_eq!(targets, ["wasm32-wasip1", "wasm32-unknown-unknown"]);
    assert_eq!(components, ["rustfmt", "clippy"]);
}

#[test]
fn a_fresh_machine_gets_the_wasm_targets_it_lacks() {
    // What this project's machines start with: Rust 1.95.0 (the machine's stable), no wasm target.
    let r = run(
        "fresh",
        &Installed {
            toolchains: &["stable-x86_64-unknown-linux-gnu (default)", "1.95.0-x86_64-unknown-linux-gnu (active)"],
            targets: &[HOST],
            components: ALL_COMPONENTS,
        },
    );
    let added: Vec<&String> =
        r.calls.iter().filter(|c| c.contains(" add ") || c.starts_with("toolchain install")).collect();
    assert_eq!(added, ["target add --toolchain 1.95.0 wasm32-wasip1 wasm32-unknown-unknown"], "{:?}", r.calls);
    assert!(r.stderr.contains("adding target wasm32-wasip1 wasm32-unknown-unknown"), "{}", r.stderr);
}

#[test]
fn one_missing_target_and_component_are_added_alone() {
    let r = run(
        "partial",
        &Installed {
            toolchains: &["1.95.0-x86_64-unknown-linux-gnu (active)"],
            targets: &[HOST, "wasm32-wasip1"],
            components: &[
                "cargo-x86_64-unknown-linux-gnu",
                "rustc-x86_64-unknown-linux-gnu",
                "rustfmt-x86_64-unknown-linux-gnu",
            ],
        },
    );
    let added: Vec<&String> = r.calls.iter().filter(|c| c.contains(" add ")).collect();
    assert_eq!(
        added,
        ["target add --toolchain 1.95.0 wasm32-unknown-unknown", "component add --toolchain 1.95.0 clippy"],
        "{:?}",
        r.calls
    );
}

#[test]
fn a_complete_installation_is_left_alone_quietly() {
    let r = run(
        "complete",
        &Installed {
            toolchains: &["1.95.0-x86_64-unknown-linux-gnu (active)"],
            targets: &[HOST, "wasm32-unknown-unknown", "wasm32-wasip1"],
            components: ALL_COMPONENTS,
        },
    );
    assert!(r.calls.iter().all(|c| !c.contains(" add ") && !c.starts_with("toolchain install")), "{:?}", r.calls);
    assert_eq!(r.stderr, "");
}

#[test]
fn a_missing_toolchain_is_installed_with_its_targets_and_components() {
    let r = run(
        "missing",
        &Installed { toolchains: &["stable-x86_64-unknown-linux-gnu (default)"], targets: &[], components: &[] },
    );
    assert_eq!(
        r.calls.last().map(String::as_str),
        Some(
            "toolchain install 1.95.0 --profile minimal --target wasm32-wasip1 --target wasm32-unknown-unknown --component rustfmt --component clippy"
        ),
        "{:?}",
        r.calls
    );
}
