//! How the Tempo Operator decides a Secret's credential mode: the CR's explicit mode, else inferred from the keys.

use crate::keys;
use crate::objects::{Backend, CredentialMode, SecretContent};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeDecision {
    /// The CR sets `credentialMode`.
    Explicit(CredentialMode),
    /// Inferred from which keys exist (even empty ones), as the operator does.
    Inferred(CredentialMode),
    /// Long- and short-lived keys together and no explicit mode: the operator rejects
    /// "storage secret contains fields for long lived and short lived configuration".
    Mixed { long: Vec<&'static str>, short: Vec<&'static str> },
}

impl ModeDecision {
    pub fn mode(&self) -> Option<CredentialMode> {
        match self {
            ModeDecision::Explicit(m) | ModeDecision::Inferred(m) => Some(*m),
            ModeDecision::Mixed { .. } => None,
        }
    }
}

pub fn decide(backend: Backend, explicit: Option<CredentialMode>, secret: &SecretContent) -> ModeDecision {
    if let Some(mode) = explicit {
        return ModeDecision::Explicit(mode);
    }
    ModeDecision::Inferred(match backend {
        Backend::S3 | Backend::Azure => {
            let long = present(keys::long_lived(backend), secret);
            let short = present(keys::short_lived(backend), secret);
            match (long.is_empty(), short.is_empty()) {
                (false, false) => return ModeDecision::Mixed { long, short },
                (true, false) => CredentialMode::Token,
                _ => CredentialMode::Static,
            }
        }
        Backend::Gcs => match gcs_key_type(secret).as_deref() {
            Some("external_account") => CredentialMode::Token,
            _ => CredentialMode::Static,
        },
    })
}

/// The mode the Secret's keys point to on their own, ignoring the CR: for explaining a mismatch.
pub fn mode_of_keys(backend: Backend, secret: &SecretContent) -> Option<CredentialMode> {
    match decide(backend, None, secret) {
        ModeDecision::Inferred(m) => {
            // A Secret with neither kind of key points nowhere.
            let any = !present(keys::long_lived(backend), secret).is_empty()
                || !present(keys::short_lived(backend), secret).is_empty()
                || (backend == Backend::Gcs && secret.has("key.json"));
            any.then_some(m)
        }
        _ => None,
    }
}

fn present(list: &'static [&'static str], secret: &SecretContent) -> Vec<&'static str> {
    list.iter().copied().filter(|k| secret.has(k)).collect()
}

/// The `key.json` types Google's default-credential loaders accept (cloud.google.com/go/auth
/// `credentials/filetypes.go`, golang.org/x/oauth2/google), which Tempo's GCS client uses
/// through `GOOGLE_APPLICATION_CREDENTIALS`. The operator itself looks only for
/// `external_account` (internal/handlers/storage/gcs_secret.go) and passes the rest on.
pub const GCS_KEY_TYPES: [&str; 6] = [
    "service_account",
    "external_account",
    "authorized_user",
    "impersonated_service_account",
    "external_account_authorized_user",
    "gdch_service_account",
];

/// What makes a GCS `key.json` long-lived, as `key.json (type …)`; `None` for a short-lived
/// `external_account` or an unknown type. A private key (`service_account`,
/// `gdch_service_account`) or a refresh token (`authorized_user`,
/// `external_account_authorized_user`) lives until revoked; `impersonated_service_account`
/// is as long-lived as its `source_credentials`.
pub fn gcs_long_lived(secret: &SecretContent) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(secret.bytes("key.json")?).ok()?;
    let kind = json.get("type")?.as_str()?;
    match kind {
        "service_account" | "gdch_service_account" | "authorized_user" | "external_account_authorized_user" => {
            Some(format!("key.json (type {kind})"))
        }
        "impersonated_service_account" => {
            let source = json.pointer("/source_credentials/type").and_then(serde_json::Value::as_str);
            match source {
                Some("external_account") => None,
                Some(s) if GCS_KEY_TYPES.contains(&s) => {
                    Some(format!("key.json (type impersonated_service_account from {s} credentials)"))
                }
                _ => Some("key.json (type impersonated_service_account)".to_string()),
            }
        }
        _ => None,
    }
}

/// `type` of the GCS `key.json`, when it parses.
pub fn gcs_key_type(secret: &SecretContent) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(secret.bytes("key.json")?).ok()?;
    json.get("type")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::Entry;

    fn secret(pairs: &[(&str, &str)]) -> SecretContent {
        let mut s = SecretContent::default();
        for (k, v) in pairs {
            s.entries.insert(k.to_string(), Entry::Value(v.as_bytes().to_vec()));
        }
        s
    }

    #[test]
    fn the_operators_inference() {
        use CredentialMode::*;
        let s3_static =
            secret(&[("bucket", "b"), ("endpoint", "e"), ("access_key_id", "i"), ("access_key_secret", "s")]);
        assert_eq!(decide(Backend::S3, None, &s3_static), ModeDecision::Inferred(Static));
        let sts = secret(&[("bucket", "b"), ("region", "r"), ("role_arn", "a")]);
        assert_eq!(decide(Backend::S3, None, &sts), ModeDecision::Inferred(Token));
        // Existence counts, even empty.
        let mixed = secret(&[
            ("bucket", "b"),
            ("endpoint", "e"),
            ("access_key_id", "i"),
            ("access_key_secret", "s"),
            ("region", ""),
        ]);
        assert_eq!(
            decide(Backend::S3, None, &mixed),
            ModeDecision::Mixed { long: vec!["endpoint", "access_key_id", "access_key_secret"], short: vec!["region"] }
        );
        assert_eq!(decide(Backend::S3, Some(Static), &mixed), ModeDecision::Explicit(Static));
        let azure = secret(&[("container", "c"), ("account_name", "n"), ("client_id", "i"), ("tenant_id", "t")]);
        assert_eq!(decide(Backend::Azure, None, &azure), ModeDecision::Inferred(Token));
        let wif = secret(&[("bucketname", "b"), ("key.json", r#"{"type":"external_account"}"#)]);
        assert_eq!(decide(Backend::Gcs, None, &wif), ModeDecision::Inferred(Token));
        let sa = secret(&[("bucketname", "b"), ("key.json", r#"{"type":"service_account"}"#)]);
        assert_eq!(decide(Backend::Gcs, None, &sa), ModeDecision::Inferred(Static));
        assert_eq!(mode_of_keys(Backend::S3, &secret(&[("bucket", "b")])), None);
    }
}
