//! `credential-mode`: the operator must be able to tell which credentials to use, and the CR's mode must fit the Secret.
//!
//! ## What it checks
//! - No `credentialMode` on the CR, and the Secret holds long-lived keys (`endpoint`,
//!   `access_key_id`, `access_key_secret`; Azure `account_key`) together with short-lived ones
//!   (`region`, `role_arn`; Azure `tenant_id`). Rejected when a CR reads the Secret; a warning when
//!   the Secret is judged alone (a CR may still set `credentialMode: static`). A TempoMonolithic
//!   on azure or gcs has no `credentialMode` (its CRD has the field under
//!   `spec.storage.traces.s3` only, and `GetStorageParamsForTempoMonolithic` in
//!   internal/handlers/storage/storage.go always infers the mode there): such a field is
//!   ignored, as the API server drops it, and the advice is to remove `tenant_id` or
//!   `account_key`.
//! - `token-cco` with `azure` or `gcs`: the operator supports it for S3 only.
//! - An explicit mode whose keys are missing while the Secret's keys point to another mode.
//!
//! ## Why
//! The operator rejects mixed Secrets ("storage secret contains fields for long lived and short
//! lived configuration"). The usual cause is a Loki Secret copied with its `region`: static S3 then
//! fails although every static key is there.
//!
//! ## Example
//! Rejected: TempoStack without `credentialMode`, Secret with `endpoint`, `access_key_id`,
//! `access_key_secret`, `bucket`, `region`. Accepted: the same CR with
//! `spec.storage.secret.credentialMode: static` (then `region` is ignored).
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::credential::{ModeDecision, mode_of_keys};
use crate::finding::Findings;
use crate::keys;
use crate::objects::storage::Declared;
use crate::objects::{Backend, CredentialMode};
use crate::registry::Rule;

/// The part that needs only the CR: it runs even when the storage section is unusable otherwise.
pub fn check_cr(usage: &Declared, out: &mut Findings) {
    if let Some(mode) = usage.mode
        && keys::required(usage.backend, mode).is_none()
    {
        out.reject(
            Rule::CredentialMode,
            usage.mode_path,
            format!(
                "{}: credentialMode {mode} is supported for s3 only, not {}: use {} instead",
                usage.cr,
                usage.backend,
                match usage.backend {
                    Backend::Azure => "token (Workload Identity: client_id, tenant_id) or static",
                    _ => "token (Workload Identity Federation key.json) or static",
                }
            ),
        );
    }
}

pub fn check(c: &SecretCheck, out: &mut Findings) {
    match c.mode {
        ModeDecision::Mixed { long, short } => {
            let remove = if c.backend == Backend::S3 {
                "remove region and role_arn for static keys"
            } else {
                "remove tenant_id for a static account key"
            };
            let message = match c.usage {
                // A TempoMonolithic cannot set the mode for azure: the keys must say it.
                Some(u) if !u.can_set_mode() => format!(
                    "{} holds long-lived keys ({}) and short-lived keys ({}), so the operator cannot infer the credential mode and refuses it; {} has no credentialMode for {} (the operator always infers it from the keys): {remove}, or remove {} for Workload Identity",
                    c.subject(),
                    list(long),
                    list(short),
                    u.cr,
                    u.backend,
                    list(long),
                ),
                _ => {
                    let fix_cr = match c.usage {
                        Some(u) => format!(
                            "set {}: static on {} (the operator then ignores {})",
                            u.mode_path,
                            u.cr,
                            list(short)
                        ),
                        None if c.backend == Backend::S3 => format!(
                            "set credentialMode: static on the CR that uses it (the operator then ignores {})",
                            list(short)
                        ),
                        None => format!(
                            "set spec.storage.secret.credentialMode: static on the TempoStack that uses it (the operator then ignores {}; a TempoMonolithic has no such field for {})",
                            list(short),
                            c.backend
                        ),
                    };
                    format!(
                        "{} holds long-lived keys ({}) and short-lived keys ({}), so the operator cannot infer the credential mode and refuses it. Either {fix_cr}, or {remove} (or the long-lived keys for token mode)",
                        c.subject(),
                        list(long),
                        list(short),
                    )
                }
            };
            let path = match c.usage {
                Some(u) if u.can_set_mode() => u.mode_path.to_string(),
                Some(_) => long.iter().chain(short.iter()).map(|k| c.key_path(k)).collect::<Vec<_>>().join(", "),
                None => format!("Secret/{}", c.secret.name),
            };
            if c.usage.is_some() {
                out.reject(Rule::CredentialMode, path, message);
            } else {
                out.warn(Rule::CredentialMode, path, message);
            }
        }
        ModeDecision::Explicit(mode) => {
            let Some(required) = keys::required(c.backend, *mode) else { return };
            let incomplete = required.iter().any(|k| c.secret.is_missing(k));
            let Some(keys_say) = mode_of_keys(c.backend, c.secret) else { return };
            if incomplete
                && keys_say != *mode
                && !(keys_say == CredentialMode::Token && *mode == CredentialMode::TokenCco)
            {
                let (path, cr) = match c.usage {
                    Some(u) => (u.mode_path.to_string(), u.cr.to_string()),
                    None => (format!("Secret/{}", c.secret.name), "the CR".to_string()),
                };
                out.reject(
                    Rule::CredentialMode,
                    path,
                    format!(
                        "{cr} sets credentialMode {mode}, but {} holds keys for {keys_say} mode: set credentialMode to {keys_say}, or give the Secret the {mode} keys ({})",
                        c.subject(),
                        list(required),
                    ),
                );
            }
        }
        ModeDecision::Inferred(_) => {}
    }
}

fn list(keys: &[&str]) -> String {
    keys.join(", ")
}
