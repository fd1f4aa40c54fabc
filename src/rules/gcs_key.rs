//! `gcs-key`: the GCS `key.json` must be a credential file the Google client libraries can use.
//!
//! ## What it checks
//! `key.json` parses as a JSON object; its `type` is `service_account` or `external_account`;
//! with `external_account` (Workload Identity Federation) its `credential_source.file` is
//! `/var/run/secrets/storage/serviceaccount/token`, where the operator projects the token; with
//! `service_account` it has `private_key` and `client_email`.
//!
//! ## Why
//! The operator parses `key.json` to infer the mode and refuses unparseable JSON; a token file
//! path from another tool's guide makes every request fail with an authentication error at run time.
//!
//! ## Example
//! Rejected: `key.json: {"type": "external_account", "credential_source": {"file": "/var/run/secrets/tokens/gcp-ksa/token"}}`.
//! Accepted: the same with `"file": "/var/run/secrets/storage/serviceaccount/token"`.
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::finding::Findings;
use crate::objects::{Backend, CredentialMode};
use crate::rules::Rule;
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
            if file != Some(TOKEN_FILE) {
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
        Some("service_account") => {
            if c.mode.mode() == Some(CredentialMode::Token) {
                out.reject(
                    Rule::GcsKey,
                    path.clone(),
                    format!("{subject}: credentialMode token needs an external_account key.json (Workload Identity Federation), but this one is a service_account key"),
                );
            }
            let lacking: Vec<&str> =
                ["private_key", "client_email"].into_iter().filter(|k| json.get(*k).and_then(Value::as_str).is_none_or(str::is_empty)).collect();
            if !lacking.is_empty() {
                out.reject(Rule::GcsKey, path, format!("{subject}: key.json (service_account) lacks {}", lacking.join(", ")));
            }
        }
        Some(other) => out.reject(
            Rule::GcsKey,
            path,
            format!("{subject}: key.json type {other:?} is not one the operator knows: expected service_account or external_account"),
        ),
        None => out.reject(Rule::GcsKey, path, format!("{subject}: key.json has no \"type\": expected service_account or external_account")),
    }
}
