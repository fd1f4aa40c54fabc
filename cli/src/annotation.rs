//! The pure part of annotating a policy: metadata in, a module with one `io.kubewarden.metadata`
//! section out. `annotate` asks the module for its protocol version first; the build script
//! (`cli/build.rs`, which includes this file) annotates the policy it embeds with the same code,
//! so the embedded policy is byte for byte what `tempo-policy annotate` writes.

use crate::metadata::PolicyMetadata;
use crate::wasm::{self, METADATA_SECTION, WasmError};

/// Annotation recording the tool that annotated the module.
pub const ANNOTATION_KWCTL: &str = "io.kubewarden.kwctl";
/// Annotation holding the usage text.
pub const ANNOTATION_USAGE: &str = "io.kubewarden.policy.usage";

/// The value written into `io.kubewarden.kwctl`.
pub fn annotator_version() -> String {
    format!("tempo-policy {}", env!("CARGO_PKG_VERSION"))
}

/// `module` without any metadata section, as `annotate` starts from.
pub fn strip(module: &[u8]) -> Result<Vec<u8>, WasmError> {
    wasm::remove_custom_section(module, METADATA_SECTION)
}

/// `stripped` (a module without metadata section) with `metadata`, its protocol version, the
/// annotator's version and the usage text appended as the `io.kubewarden.metadata` section.
pub fn annotated(
    stripped: Vec<u8>,
    mut metadata: PolicyMetadata,
    protocol_version: Option<String>,
    usage: Option<&str>,
) -> Result<Vec<u8>, serde_json::Error> {
    if protocol_version.is_some() {
        metadata.protocol_version = protocol_version;
    }
    let annotations = metadata.annotations.get_or_insert_with(Default::default);
    annotations.insert(ANNOTATION_KWCTL.to_owned(), annotator_version());
    if let Some(usage) = usage {
        annotations.insert(ANNOTATION_USAGE.to_owned(), usage.to_owned());
    }
    let json = serde_json::to_vec(&metadata)?;
    let mut out = stripped;
    wasm::append_custom_section(&mut out, METADATA_SECTION, &json);
    Ok(out)
}
