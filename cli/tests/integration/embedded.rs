//! The policy built into `tempo-policy` (issue 12): an installed tool needs no flag, `--version`
//! names the embedded policy, which is `annotated-policy.wasm` byte for byte once annotated in
//! memory, and `--policy` and `$TEMPO_POLICY_WASM` still override it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};
use tempo_policy_cli::Runtime;
use tempo_policy_cli::embedded;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The binary, run from a directory with no policy in it and no policy variable.
fn tool(args: &[&str]) -> Output {
    let dir = common::scratch("embedded-cwd");
    Command::new(common::bin())
        .current_dir(&dir)
        .args(args)
        .env_remove("TEMPO_POLICY_WASM")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The version and digest come from elsewhere than the code under test: metadata.yml names the
/// version, and `make` wrote annotated-policy.wasm, whose bytes the embedded policy must be.
#[test]
fn version_names_the_embedded_policy_and_its_digest() {
    let o = tool(&["--version"]);
    assert!(o.status.success());
    let metadata = std::fs::read_to_string(root().join("metadata.yml")).unwrap();
    let version = metadata
        .lines()
        .find_map(|l| l.trim().strip_prefix("io.kubewarden.policy.version:"))
        .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''))
        .unwrap();
    let annotated = std::fs::read(root().join("annotated-policy.wasm")).unwrap();
    let expected = format!(
        "tempo-policy {}\nembedded policy: tempo-policy {version}, sha256:{}\n",
        env!("CARGO_PKG_VERSION"),
        hex(&Sha256::digest(&annotated))
    );
    assert_eq!(text(&o.stdout), expected);
}

#[test]
fn the_embedded_policy_is_annotated_policy_wasm() {
    // `make` writes annotated-policy.wasm with `tempo-policy annotate`, which asks the module
    // for its protocol version; the build script annotates the same policy.wasm without running
    // it. Both must give the same bytes.
    let file = root().join("annotated-policy.wasm");
    let annotated = std::fs::read(&file)
        .unwrap_or_else(|e| panic!("{}: {e} (run `make annotated-policy.wasm` or `make test`)", file.display()));
    let policy = &embedded::policy().unwrap().as_ref().unwrap().module;
    assert!(
        *policy == annotated,
        "the embedded policy (sha256:{}) differs from annotated-policy.wasm (sha256:{}): rebuild both with `make`",
        hex(&Sha256::digest(policy)),
        hex(&Sha256::digest(&annotated))
    );
}

#[test]
fn the_embedded_policy_answers_protocol_v1_and_carries_the_usage_text() {
    let runtime = Runtime::new().unwrap();
    let embedded = embedded::policy().unwrap().as_ref().unwrap();
    let policy = runtime.load_policy_bytes(&embedded.module, embedded::ORIGIN).unwrap();
    assert_eq!(policy.protocol_version().unwrap(), "v1");
    let o = tool(&["inspect"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(metadata["protocolVersion"], "v1");
    let usage = std::fs::read_to_string(root().join("docs/usage.md")).unwrap();
    assert_eq!(metadata["annotations"]["io.kubewarden.policy.usage"], usage.as_str());
    assert_eq!(metadata["annotations"]["io.kubewarden.policy.version"], embedded.version.as_str());
}

#[test]
fn check_and_run_need_no_policy_flag() {
    let manifest = root().join("test-data/manifests/seeds/pv-monolithic.yaml");
    let o = tool(&["check", manifest.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let version = &embedded::policy().unwrap().as_ref().unwrap().version;
    assert!(out.ends_with(&format!("policy: the embedded policy (tempo-policy {version})\n")), "{out}");

    let request = root().join("test-data/requests/tempomonolithic-pv.json");
    let o = tool(&["run", "-r", request.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let response: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(response["allowed"], true, "{response}");
}

#[test]
fn a_policy_flag_or_variable_overrides_the_embedded_policy() {
    let manifest = root().join("test-data/manifests/seeds/pv-monolithic.yaml");
    let missing = "/nonexistent/policy.wasm";
    let o = tool(&["check", "--policy", missing, manifest.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(text(&o.stderr), format!("error: --policy {missing}: no such file\n"));
    let dir = common::scratch("embedded-variable");
    let o = Command::new(common::bin())
        .current_dir(&dir)
        .args(["check", manifest.to_str().unwrap()])
        .env("TEMPO_POLICY_WASM", missing)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains(&format!("$TEMPO_POLICY_WASM names {missing}, which does not exist")));
}
