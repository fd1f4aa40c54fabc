//! `gcs-key`: the GCS `key.json` must be a credential file the Google client libraries can use.
//!
//! ## What it checks
//! `key.json` parses as a JSON object; its `type` is one Google's default-credential loaders
//! accept: `service_account`, `external_account`, `authorized_user`,
//! `impersonated_service_account`, `external_account_authorized_user`, `gdch_service_account`
//! (cloud.google.com/go/auth `credentials/filetypes.go`; golang.org/x/oauth2/google); with
//! `external_account` (Workload Identity Federation) its `credential_source.file` is
//! `/var/run/secrets/storage/serviceaccount/token`, where the operator projects the token; with
//! `service_account` it has `private_key` and `client_email`. With `credentialMode: token` on the
//! CR it must be `external_account`; with `credentialMode: static` it must not be an
//! `external_account` that reads the projected token file, which the operator projects in token
//! mode only (`ConfigureGCS` in internal/manifests/manifestutils/storage.go mounts the
//! `bound-sa-token` volume at /var/run/secrets/storage/serviceaccount when the mode is `token`;
//! static mounts only the Secret). Whether a type is long-lived is `static-credentials`'
//! business, in production only.
//!
//! ## Why
//! The operator parses `key.json` to infer the mode, refuses unparseable JSON and looks at no
//! `type` but `external_account` (internal/handlers/storage/gcs_secret.go): every other type goes
//! to Tempo as a static credential file (`GOOGLE_APPLICATION_CREDENTIALS`), where Google's
//! loader accepts the types above and refuses the rest ("unsupported filetype"). In token mode
//! the operator insists on the projected token file. A token file path from another tool's guide
//! makes every request fail with an authentication error at run time; so does a Workload Identity
//! key.json under `credentialMode: static`: Tempo's GCS client opens the token file on its first
//! call, finds none ("failed to open credential file"), and the startup bucket check
//! (`bucket.Attrs` in tempodb/backend/gcs/gcs.go) stops every storage component.
//!
//! ## Example
//! Rejected: `key.json: {"type": "external_account", "credential_source": {"file": "/var/run/secrets/tokens/gcp-ksa/token"}}`.
//! Accepted: the same with `"file": "/var/run/secrets/storage/serviceaccount/token"`.
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::credential::{GCS_KEY_TYPES, ModeDecision};
use crate::finding::Findings;
use crate::objects::{Backend, CredentialMode};
use crate::registry::Rule;
use serde_json::Value;

pub const TOKEN_FILE: &str = "/var/run/secrets/storage/serviceaccount/token";

pub fn check(c: &SecretCheck, out: &mut Findings) {
    if c.backend != Backend::Gcs {
        return;
    }
    let Some(bytes) = c.secret.bytes("key.json") else { return };
    let path = c.key_path("key.json");
    let subject = c.subject();
    // Never quote the parser's error: it can echo part of the private key.
    let json: Value = match serde_json::from_slice(bytes) {
        Ok(Value::Object(m)) => Value::Object(m),
        Ok(_) | Err(_) => {
            out.reject(Rule::GcsKey, path, format!("{subject}: key.json is not a JSON object (expected a service account key or an external_account credential file)"));
            return;
        }
    };
    let kind = json.get("type").and_then(Value::as_str);
    match kind {
        Some("external_account") => {
            let file = json.pointer("/credential_source/file").and_then(Value::as_str);
            if file == Some(TOKEN_FILE) && matches!(c.mode, ModeDecision::Explicit(CredentialMode::Static)) {
                let at = c.usage.map_or_else(|| "the CR".to_string(), |u| format!("{} {}", u.cr, u.mode_path));
                out.reject(
                    Rule::GcsKey,
                    path,
                    format!("{subject}: key.json is an external_account credential that reads the token at {TOKEN_FILE}, which the operator projects only with credentialMode token, but {at} is static: set it to token (or remove it: the operator infers token from this key.json)"),
                );
            } else if file != Some(TOKEN_FILE) {
                let found = match file {
                    Some(f) => format!("points at {f:?}"),
                    None => "has no credential_source.file".to_string(),
                };
                out.reject(
                    Rule::GcsKey,
                    path,
                    format!("{subject}: key.json (external_account) {found}, but the operator projects the token to {TOKEN_FILE}: set credential_source.file to that path"),
                );
            }
        }
        Some(kind) if GCS_KEY_TYPES.contains(&kind) => {
            if c.mode.mode() == Some(CredentialMode::Token) {
                out.reject(
                    Rule::GcsKey,
                    path.clone(),
                    format!("{subject}: credentialMode token needs an external_account key.json (Workload Identity Federation), but this one is of type {kind}"),
                );
            }
            if kind == "service_account" {
                let lacking: Vec<&str> = ["private_key", "client_email"]
                    .into_iter()
                    .filter(|k| json.get(*k).and_then(Value::as_str).is_none_or(str::is_empty))
                    .collect();
                if !lacking.is_empty() {
                    out.reject(
                        Rule::GcsKey,
                        path,
                        format!("{subject}: key.json (service_account) lacks {}", lacking.join(", ")),
                    );
                }
            }
        }
        Some(other) => out.reject(
            Rule::GcsKey,
            path,
            format!(
                "{subject}: key.json type {:?} is not one Google's credential loaders accept: expected one of {}",
                other.chars().take(40).collect::<String>(),
                GCS_KEY_TYPES.join(", ")
            ),
        ),
        None => out.reject(
            Rule::GcsKey,
            path,
            format!("{subject}: key.json has no \"type\": expected one of {}", GCS_KEY_TYPES.join(", ")),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::credential::decide;
    use crate::objects::{Entry, SecretContent};
    use crate::settings::Settings;

    fn run(key_json: &str) -> Vec<String> {
        let mut s = SecretContent { name: "gcs".into(), ..SecretContent::default() };
        s.entries.insert("bucketname".into(), Entry::Value(b"tempo".to_vec()));
        s.entries.insert("key.json".into(), Entry::Value(key_json.as_bytes().to_vec()));
        let mode = decide(Backend::Gcs, None, &s);
        let settings = Settings::default();
        let c = SecretCheck::new(&s, Backend::Gcs, None, &mode, &settings, false);
        let mut out = Findings::new();
        check(&c, &mut out);
        out.iter().map(|f| format!("{}: {}", f.rule.id(), f.message)).collect()
    }

    #[test]
    fn only_the_types_google_loads_pass() {
        let found = run(r#"{"type": "api_key", "key": "AIzaSyEXAMPLE"}"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("gcs-key: "), "{found:?}");
        assert!(
            found[0].contains(r#"key.json type "api_key" is not one Google's credential loaders accept"#),
            "{found:?}"
        );
        assert!(!found[0].contains("AIza"), "{found:?}");
        // A known type other than service_account needs no particular field.
        assert_eq!(run(r#"{"type": "authorized_user"}"#), Vec::<String>::new());
        let found = run(r#"{"type": "service_account", "client_email": "tempo@example.iam.gserviceaccount.com"}"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].ends_with("key.json (service_account) lacks private_key"), "{found:?}");
    }
}
