//! `tempo-policy annotate`: what `kwctl annotate` does.

use crate::host::{HostError, Runtime};
use crate::metadata::{EXECUTION_MODE_WAPC, MetadataError, PROTOCOL_V1, PolicyMetadata};
use crate::wasm::{self, METADATA_SECTION, WasmError};

/// Annotation recording the tool that annotated the module.
pub const ANNOTATION_KWCTL: &str = "io.kubewarden.kwctl";
/// Annotation holding the usage text.
pub const ANNOTATION_USAGE: &str = "io.kubewarden.policy.usage";

/// Why annotation failed.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    #[error("{origin}: {source}")]
    Metadata { origin: String, source: MetadataError },
    #[error(transparent)]
    Host(#[from] HostError),
    #[error("{origin} is not a WebAssembly module: {source}")]
    Wasm { origin: String, source: WasmError },
    #[error("{origin} answers protocol_version with {found:?}; Kubewarden waPC policies must answer \"v1\"")]
    ProtocolVersion { origin: String, found: String },
}

/// The value written into `io.kubewarden.kwctl`.
pub fn annotator_version() -> String {
    format!("tempo-policy {}", env!("CARGO_PKG_VERSION"))
}

/// Annotate `module`: parse and validate `metadata_yaml`, ask the module for
/// its protocol version (kubewarden-wapc only), add the annotations, and
/// replace any `io.kubewarden.metadata` section by a new one at the end.
pub fn annotate(
    runtime: &Runtime,
    module: &[u8],
    module_origin: &str,
    metadata_yaml: &str,
    metadata_origin: &str,
    usage: Option<&str>,
) -> Result<Vec<u8>, AnnotateError> {
    let mut metadata = PolicyMetadata::from_yaml(metadata_yaml)
        .map_err(|source| AnnotateError::Metadata { origin: metadata_origin.to_owned(), source })?;
    let stripped = wasm::remove_custom_section(module, METADATA_SECTION)
        .map_err(|source| AnnotateError::Wasm { origin: module_origin.to_owned(), source })?;
    if metadata.execution_mode == EXECUTION_MODE_WAPC {
        let policy = runtime.load_module(&stripped, module_origin)?;
        let version = policy.protocol_version()?;
        if version != PROTOCOL_V1 {
            return Err(AnnotateError::ProtocolVersion { origin: module_origin.to_owned(), found: version });
        }
        metadata.protocol_version = Some(version);
    }
    let annotations = metadata.annotations.get_or_insert_with(Default::default);
    annotations.insert(ANNOTATION_KWCTL.to_owned(), annotator_version());
    if let Some(usage) = usage {
        annotations.insert(ANNOTATION_USAGE.to_owned(), usage.to_owned());
    }
    let json =
        metadata.to_json().map_err(|source| AnnotateError::Metadata { origin: metadata_origin.to_owned(), source })?;
    let mut out = stripped;
    wasm::append_custom_section(&mut out, METADATA_SECTION, &json);
    Ok(out)
}
