//! `tempo-policy annotate`: what `kwctl annotate` does.

pub use crate::annotation::{ANNOTATION_KWCTL, ANNOTATION_USAGE, annotator_version};
use crate::annotation::{annotated, strip};
use crate::host::{HostError, Runtime};
use crate::metadata::{EXECUTION_MODE_WAPC, MetadataError, PROTOCOL_V1, PolicyMetadata};
use crate::wasm::WasmError;

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
    let metadata = PolicyMetadata::from_yaml(metadata_yaml)
        .map_err(|source| AnnotateError::Metadata { origin: metadata_origin.to_owned(), source })?;
    let stripped = strip(module).map_err(|source| AnnotateError::Wasm { origin: module_origin.to_owned(), source })?;
    let mut protocol_version = None;
    if metadata.execution_mode == EXECUTION_MODE_WAPC {
        let policy = runtime.load_module(&stripped, module_origin)?;
        let version = policy.protocol_version()?;
        if version != PROTOCOL_V1 {
            return Err(AnnotateError::ProtocolVersion { origin: module_origin.to_owned(), found: version });
        }
        protocol_version = Some(version);
    }
    annotated(stripped, metadata, protocol_version, usage)
        .map_err(|e| AnnotateError::Metadata { origin: metadata_origin.to_owned(), source: MetadataError::Json(e) })
}
