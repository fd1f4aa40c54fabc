//! Helpers shared by the integration tests: locating the binary and the
//! baseline wasm, scratch directories, and two tiny hand-written waPC guests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `tempo-policy` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_tempo-policy")
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The annotated policy built by `make` (`TEMPO_POLICY_WASM` overrides the path).
pub fn annotated_policy() -> PathBuf {
    let path = std::env::var_os("TEMPO_POLICY_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../annotated-policy.wasm"));
    assert!(path.exists(), "{} is missing: run `make annotated-policy.wasm` (or `make test`) first", path.display());
    path
}

/// The baseline policy built by `make` (`BASELINE_WASM` overrides the path).
pub fn baseline_wasm() -> PathBuf {
    let path = std::env::var_os("BASELINE_WASM").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip1/release/baseline_policy.wasm")
    });
    assert!(
        path.is_file(),
        "baseline policy not found at {}: run `make` (or `cargo build --release --target wasm32-wasip1 -p baseline-policy`) first, or set BASELINE_WASM",
        path.display()
    );
    path
}

pub const METADATA: &str = r#"rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["secrets"]
    operations: ["CREATE", "UPDATE", "DELETE"]
mutating: true
contextAwareResources:
  - apiVersion: v1
    kind: Secret
annotations:
  io.kubewarden.policy.title: test-policy
"#;

/// The request the relay guest sends to `kubernetes/get_resource`.
pub const RELAY_LOOKUP: &str =
    r#"{"api_version":"v1","kind":"Secret","name":"relay","namespace":"default","disable_cache":false}"#;

/// The replay `request:` matching [`RELAY_LOOKUP`].
pub const RELAY_RECORDED: &str =
    "!KubernetesGetResource\napi_version: v1\nkind: Secret\nname: relay\nnamespace: default\ndisable_cache: false\n";

fn wat_guest(validate_body: &str) -> String {
    let lookup = RELAY_LOOKUP.replace('"', "\\\"");
    format!(
        r#"(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (import "wapc" "__host_error_len" (func $host_error_len (result i32)))
  (import "wapc" "__host_error" (func $host_error (param i32)))
  (memory (export "memory") 4)
  (data (i32.const 0) "kubewarden")
  (data (i32.const 16) "kubernetes")
  (data (i32.const 32) "get_resource")
  (data (i32.const 48) "\"v1\"")
  (data (i32.const 64) "{{\"valid\":true,\"message\":null}}")
  (data (i32.const 256) "unknown operation")
  (data (i32.const 512) "{lookup}")
  (func (export "wapc_init"))
  (func (export "__guest_call") (param $op_len i32) (param $req_len i32) (result i32)
    (local $n i32)
    (call $guest_request (i32.const 1024) (i32.add (i32.const 1024) (local.get $op_len)))
    ;; protocol_version
    (if (i32.eq (local.get $op_len) (i32.const 16))
      (then (call $guest_response (i32.const 48) (i32.const 4)) (return (i32.const 1))))
    ;; validate_settings: `{{}}` is valid, anything else is echoed back as the verdict
    (if (i32.eq (local.get $op_len) (i32.const 17))
      (then
        (if (i32.eq (local.get $req_len) (i32.const 2))
          (then (call $guest_response (i32.const 64) (i32.const 29)) (return (i32.const 1))))
        (call $guest_response (i32.add (i32.const 1024) (local.get $op_len)) (local.get $req_len))
        (return (i32.const 1))))
    ;; validate
    (if (i32.eq (local.get $op_len) (i32.const 8))
      (then {validate_body}))
    (call $guest_error (i32.const 256) (i32.const 17))
    (i32.const 0))
)"#,
        lookup = lookup,
        validate_body = validate_body.replace("LOOKUP_LEN", &RELAY_LOOKUP.len().to_string()),
    )
}

/// A guest whose `validate` looks up `v1/Secret default/relay` and returns
/// the host's answer verbatim as its ValidationResponse (or the host error
/// as its guest error): replay files then script the policy's verdict.
pub fn relay_guest() -> Vec<u8> {
    let body = r#"
        (if (call $host_call (i32.const 0) (i32.const 10) (i32.const 16) (i32.const 10)
                             (i32.const 32) (i32.const 12) (i32.const 512) (i32.const LOOKUP_LEN))
          (then
            (local.set $n (call $host_response_len))
            (call $host_response (i32.const 131072))
            (call $guest_response (i32.const 131072) (local.get $n))
            (return (i32.const 1))))
        (local.set $n (call $host_error_len))
        (call $host_error (i32.const 131072))
        (call $guest_error (i32.const 131072) (local.get $n))
        (return (i32.const 0))"#;
    wat::parse_str(wat_guest(body)).unwrap()
}

/// A guest whose `validate` never returns.
pub fn spin_guest() -> Vec<u8> {
    wat::parse_str(wat_guest("(loop $forever (br $forever))")).unwrap()
}

/// Write `module` to `dir/name` and annotate it with `metadata` through the
/// binary; returns the annotated path.
pub fn annotate_into(dir: &Path, name: &str, module: &[u8], metadata: &str) -> PathBuf {
    let raw = dir.join(format!("{name}.raw.wasm"));
    std::fs::write(&raw, module).unwrap();
    let meta = dir.join(format!("{name}.metadata.yml"));
    std::fs::write(&meta, metadata).unwrap();
    let out = dir.join(format!("{name}.wasm"));
    let o = Command::new(bin()).args(["annotate", "-m"]).arg(&meta).arg("-o").arg(&out).arg(&raw).output().unwrap();
    assert!(o.status.success(), "annotate failed: {}", String::from_utf8_lossy(&o.stderr));
    out
}

/// Run the binary with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parse the single stdout line as JSON.
pub fn response(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "exit {:?}, stderr: {}", o.status, stderr(o));
    let out = stdout(o);
    assert_eq!(out.lines().count(), 1, "stdout must be exactly one line: {out}");
    serde_json::from_str(&out).unwrap()
}

pub fn request_json(operation: &str, object: serde_json::Value) -> String {
    serde_json::json!({
        "uid": "req-1",
        "kind": {"group": "", "version": "v1", "kind": "Secret"},
        "resource": {"group": "", "version": "v1", "resource": "secrets"},
        "requestKind": {"group": "", "version": "v1", "kind": "Secret"},
        "requestResource": {"group": "", "version": "v1", "resource": "secrets"},
        "name": "s",
        "namespace": "default",
        "operation": operation,
        "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
        "object": object,
        "oldObject": null
    })
    .to_string()
}

/// A replay file with one exchange answering the relay look-up with `payload`.
pub fn replay_success(payload: &serde_json::Value) -> String {
    let entries = serde_json::json!([{
        "type": "Exchange",
        "request": RELAY_RECORDED,
        "response": {"type": "Success", "payload": payload.to_string()}
    }]);
    serde_yaml_ng::to_string(&entries).unwrap()
}
