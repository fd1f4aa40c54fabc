//! What a Secret-content rule gets to look at: the Secret, the backend and mode it is read with, the CR using it, the settings.

use crate::credential::ModeDecision;
use crate::location::endpoint::{Endpoint, EndpointProblem, parse_endpoint};
use crate::objects::{Backend, SecretContent, StorageUse};
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
        Self { secret, backend, usage, mode, settings, production, endpoint }
    }

    /// The endpoint when it parsed.
    pub fn parsed_endpoint(&self) -> Option<&Endpoint> {
        self.endpoint.as_ref().and_then(|e| e.as_ref().ok())
    }

    /// How messages name the Secret: `Secret "tempo-s3"`, plus the CR when one is known.
    pub fn subject(&self) -> String {
        match self.usage {
            Some(u) => format!("Secret {:?} (storage of {})", self.secret.name, u.cr),
            None => format!("Secret {:?}", self.secret.name),
        }
    }

    /// Field path of a key, for findings.
    pub fn key_path(&self, key: &str) -> String {
        format!("Secret/{} data[{key:?}]", self.secret.name)
    }
}
