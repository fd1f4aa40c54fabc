//! The policy built into the binary (feature `embedded-policy`, see `build.rs`): what `check`,
//! `run` and `inspect` evaluate when neither a POLICY/`--policy` nor `$TEMPO_POLICY_WASM` names
//! another.
//!
//! The binary carries the policy module with the `metadata.yml` and `docs/usage.md` it was built
//! with, and annotates it in memory as `make annotated-policy.wasm` does (same code, same
//! inputs): the result is `annotated-policy.wasm` byte for byte, and its SHA-256 is that file's.
//! The protocol version is written as "v1" without asking the module; the tests check that the
//! embedded policy answers "v1".

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::metadata::{EXECUTION_MODE_WAPC, PROTOCOL_V1, PolicyMetadata};

/// How messages and reports name the embedded policy.
pub const ORIGIN: &str = "the embedded policy";

#[cfg(feature = "embedded-policy")]
const PARTS: Option<(&[u8], &str, &str)> = Some((
    include_bytes!(concat!(env!("OUT_DIR"), "/embedded-policy.wasm")),
    include_str!("../../metadata.yml"),
    include_str!("../../docs/usage.md"),
));
#[cfg(not(feature = "embedded-policy"))]
const PARTS: Option<(&[u8], &str, &str)> = None;

/// The embedded policy, annotated.
pub struct Embedded {
    pub module: Vec<u8>,
    /// `io.kubewarden.policy.version`.
    pub version: String,
    /// SHA-256 of `module`, hex.
    pub sha256: String,
}

/// The embedded policy; `None` in a binary built without it, `Some(Err)` if its metadata does
/// not annotate (a build from a broken checkout).
pub fn policy() -> Option<&'static Result<Embedded, String>> {
    static POLICY: OnceLock<Option<Result<Embedded, String>>> = OnceLock::new();
    POLICY.get_or_init(|| PARTS.map(|(module, metadata, usage)| annotate(module, metadata, usage))).as_ref()
}

fn annotate(module: &[u8], metadata_yaml: &str, usage: &str) -> Result<Embedded, String> {
    let metadata = PolicyMetadata::from_yaml(metadata_yaml).map_err(|e| format!("{ORIGIN}: metadata.yml: {e}"))?;
    let version = metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("io.kubewarden.policy.version"))
        .cloned()
        .unwrap_or_else(|| "(unversioned)".to_owned());
    let protocol = (metadata.execution_mode == EXECUTION_MODE_WAPC).then(|| PROTOCOL_V1.to_owned());
    let stripped = crate::annotation::strip(module).map_err(|e| format!("{ORIGIN}: {e}"))?;
    let module = crate::annotation::annotated(stripped, metadata, protocol, Some(usage))
        .map_err(|e| format!("{ORIGIN}: cannot annotate: {e}"))?;
    let sha256 = Sha256::digest(&module).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Embedded { module, version, sha256 })
}

/// What `tempo-policy --version` prints after the program name.
pub fn version_text() -> String {
    let tool = env!("CARGO_PKG_VERSION");
    match policy() {
        Some(Ok(p)) => format!("{tool}\nembedded policy: tempo-policy {}, sha256:{}", p.version, p.sha256),
        Some(Err(e)) => format!("{tool}\nembedded policy: unusable: {e}"),
        None => format!("{tool}\nno embedded policy (built without the embedded-policy feature)"),
    }
}
