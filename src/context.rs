//! What a Secret-content rule gets to look at: the Secret, the backend and mode it is read with, the CR using it, the settings.

use crate::credential::ModeDecision;
use crate::location::endpoint::{Endpoint, EndpointProblem, parse_endpoint};
use crate::objects::overlay::Overlay;
use crate::objects::{Backend, CredentialMode, SecretContent, StorageUse};
use crate::settings::Settings;

pub struct SecretCheck<'a> {
    pub secret: &'a SecretContent,
    pub backend: Backend,
    /// The CR that reads this Secret; `None` when the Secret is judged alone.
    pub usage: Option<&'a StorageUse>,
    pub mode: &'a ModeDecision,
    pub settings: &'a Settings,
    pub production: bool,
    /// The S3 `endpoint`, parsed once for every rule that reads it; `None` when absent or not S3.
    pub endpoint: Option<Result<Endpoint, Vec<EndpointProblem>>>,
    /// The CR's `extraConfig` values that replaced some of the Secret's (then `secret` holds them):
    /// messages say so, and findings point at them.
    pub overlay: Option<&'a Overlay>,
}

impl<'a> SecretCheck<'a> {
    pub fn new(
        secret: &'a SecretContent,
        backend: Backend,
        usage: Option<&'a StorageUse>,
        mode: &'a ModeDecision,
        settings: &'a Settings,
        production: bool,
    ) -> Self {
        let endpoint = match backend {
            Backend::S3 => secret.text("endpoint").map(parse_endpoint),
            _ => None,
        };
        Self { secret, backend, usage, mode, settings, production, endpoint, overlay: None }
    }

    /// The same check of the storage as `overlay` makes it (`overlay.content` for `secret`).
    pub fn with_overlay(mut self, overlay: &'a Overlay) -> Self {
        self.overlay = Some(overlay);
        self
    }

    /// The extraConfig path (under `spec.extraConfig.tempo`) whose value replaced `key`.
    pub fn overlaid(&self, key: &str) -> Option<&str> {
        self.overlay.and_then(|o| o.replaced(key))
    }

    /// Whether the operator reads the S3 `endpoint` key: not in the token modes, which derive the
    /// endpoint from `region` (`https://s3.<region>.amazonaws.com`). With mixed keys (no mode yet)
    /// both keys are read, so that every finding is there before the mode is chosen.
    pub fn reads_endpoint(&self) -> bool {
        // An endpoint set in extraConfig is Tempo's whatever the mode: it overrides the one the
        // operator renders.
        self.overlaid("endpoint").is_some()
            || !matches!(self.mode.mode(), Some(CredentialMode::Token | CredentialMode::TokenCco))
    }

    /// Whether the operator reads the S3 `region` key: not in static mode set explicitly on the
    /// CR (an inferred static mode has no `region` key to read).
    pub fn reads_region(&self) -> bool {
        !matches!(self.mode, ModeDecision::Explicit(CredentialMode::Static))
    }

    /// The URL the storage is reached at, as [`EffectiveEndpoint`] says.
    pub fn effective_endpoint(&self) -> Option<EffectiveEndpoint> {
        match self.backend {
            Backend::S3 if self.reads_endpoint() => {
                self.secret.text("endpoint").map(|e| EffectiveEndpoint::Written(e.trim().to_string()))
            }
            Backend::S3 => self
                .secret
                .text("region")
                .map(|r| EffectiveEndpoint::Derived(format!("https://s3.{}.amazonaws.com", r.trim()), "region")),
            Backend::Azure => self.secret.text("account_name").map(|a| {
                EffectiveEndpoint::Derived(format!("https://{}.blob.core.windows.net", a.trim()), "account_name")
            }),
            Backend::Gcs => Some(EffectiveEndpoint::Derived("https://storage.googleapis.com".to_string(), "")),
        }
    }

    /// The endpoint when it parsed.
    pub fn parsed_endpoint(&self) -> Option<&Endpoint> {
        self.endpoint.as_ref().and_then(|e| e.as_ref().ok())
    }

    /// How messages name the Secret: `Secret "tempo-s3"`, plus the CR when one is known.
    pub fn subject(&self) -> String {
        let with = match self.overlay {
            Some(o) => {
                let paths: Vec<String> =
                    o.replaced.iter().map(|(_, p)| format!("spec.extraConfig.tempo.{p}")).collect();
                format!(" with {}", paths.join(", "))
            }
            None => String::new(),
        };
        match self.usage {
            Some(u) => format!("Secret {:?}{with} (storage of {})", self.secret.name, u.cr),
            None => format!("Secret {:?}{with}", self.secret.name),
        }
    }

    /// Field path of a key, for findings: the extraConfig value that replaced it, if one did.
    pub fn key_path(&self, key: &str) -> String {
        match self.overlaid(key) {
            Some(path) => format!("spec.extraConfig.tempo.{path}"),
            None => format!("Secret/{} data[{key:?}]", self.secret.name),
        }
    }
}

/// The endpoint the operator reads, when it parsed.
pub fn read_endpoint<'c>(c: &'c SecretCheck) -> Option<&'c Endpoint> {
    if c.backend == Backend::S3 && c.reads_endpoint() { c.parsed_endpoint() } else { None }
}

/// Where the object storage is reached: the S3 `endpoint` key as written (trimmed), or, where
/// the operator builds the URL itself, the URL it builds and the key it builds it from (S3 token
/// modes: `https://s3.<region>.amazonaws.com` from `region`, always HTTPS; Azure:
/// `https://<account_name>.blob.core.windows.net`; GCS: `https://storage.googleapis.com`, from
/// no key at all, `""`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectiveEndpoint {
    Written(String),
    Derived(String, &'static str),
}

impl EffectiveEndpoint {
    pub fn url(&self) -> &str {
        match self {
            EffectiveEndpoint::Written(u) | EffectiveEndpoint::Derived(u, _) => u,
        }
    }
}
