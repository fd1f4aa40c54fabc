//! What a TempoStack or TempoMonolithic says about its object storage, normalised across both CRDs.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrKind {
    TempoStack,
    TempoMonolithic,
}

impl CrKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CrKind::TempoStack => "TempoStack",
            CrKind::TempoMonolithic => "TempoMonolithic",
        }
    }

    pub fn from_kind(kind: &str) -> Option<Self> {
        match kind {
            "TempoStack" => Some(CrKind::TempoStack),
            "TempoMonolithic" => Some(CrKind::TempoMonolithic),
            _ => None,
        }
    }
}

/// A CR by kind and name, as findings name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrRef {
    pub kind: CrKind,
    pub name: String,
}

impl fmt::Display for CrRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.kind.as_str(), self.name)
    }
}

/// The object-storage backends; `memory` and `pv` (TempoMonolithic) have no Secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    S3,
    Azure,
    Gcs,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::S3 => "s3",
            Backend::Azure => "azure",
            Backend::Gcs => "gcs",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "s3" => Some(Backend::S3),
            "azure" => Some(Backend::Azure),
            "gcs" => Some(Backend::Gcs),
            _ => None,
        }
    }

    /// The key that names the bucket (container) for this backend.
    pub fn bucket_key(self) -> &'static str {
        match self {
            Backend::S3 => "bucket",
            Backend::Azure => "container",
            Backend::Gcs => "bucketname",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialMode {
    Static,
    Token,
    TokenCco,
}

impl CredentialMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialMode::Static => "static",
            CredentialMode::Token => "token",
            CredentialMode::TokenCco => "token-cco",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "static" => Some(CredentialMode::Static),
            "token" => Some(CredentialMode::Token),
            "token-cco" => Some(CredentialMode::TokenCco),
            _ => None,
        }
    }
}

impl fmt::Display for CredentialMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tls {
    pub enabled: bool,
    pub ca_name: Option<String>,
}

/// A CR's usable object-storage configuration: produced by the `storage-spec` rule when the
/// storage section can be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageUse {
    pub cr: CrRef,
    pub backend: Backend,
    pub secret_name: String,
    /// Field path of the Secret reference, for messages.
    pub secret_path: &'static str,
    /// The explicit `credentialMode`, when the CR sets one.
    pub mode: Option<CredentialMode>,
    pub mode_path: &'static str,
    pub tls: Tls,
    pub tls_path: &'static str,
}

impl StorageUse {
    /// Whether the CR can set `credentialMode` for its backend: a TempoStack always
    /// (`spec.storage.secret.credentialMode`), a TempoMonolithic only for s3: its CRD has the
    /// field under `spec.storage.traces.s3` alone, and the operator always infers the mode of
    /// azure and gcs from the Secret's keys (`GetStorageParamsForTempoMonolithic`,
    /// internal/handlers/storage/storage.go).
    pub fn can_set_mode(&self) -> bool {
        self.cr.kind == CrKind::TempoStack || self.backend == Backend::S3
    }
}
