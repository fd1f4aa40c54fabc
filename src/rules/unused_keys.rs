//! `unused-keys`: keys the Tempo Operator never reads, most often left over from a Loki Secret.
//!
//! ## What it checks
//! Every key that is not read for the backend and mode: Loki's `bucketnames`, `forcepathstyle`,
//! `sse_type`, `sse_kms_*`, Azure `environment` / `endpoint_suffix`, AWS-tool spellings like
//! `secret_access_key`, and `region` in static S3 mode. Each comes with the Tempo key that was
//! probably meant. A warning only.
//!
//! ## Why
//! Early Tempo and OpenShift documentation told users to write `bucketnames`; the operator
//! silently ignores such keys, so settings the user believes in (server-side encryption, path
//! style) are not applied.
//!
//! ## Example
//! Warned: `forcepathstyle: "true"` in an S3 Secret. Clean: a Secret with only the keys of its mode.
//!
//! ## Settings
//! None.

use crate::context::SecretCheck;
use crate::finding::Findings;
use crate::keys;
use crate::objects::{Backend, CredentialMode};
use crate::rules::Rule;

pub fn check(c: &SecretCheck, out: &mut Findings) {
    let known = keys::known(c.backend);
    for key in c.secret.keys() {
        let path = c.key_path(key);
        if known.contains(&key) {
            if c.backend == Backend::S3
                && key == "region"
                && matches!(c.mode, crate::credential::ModeDecision::Explicit(CredentialMode::Static))
            {
                out.warn(
                    Rule::UnusedKeys,
                    path,
                    format!(
                        "{}: key \"region\" is ignored in static mode (the region comes from the endpoint)",
                        c.subject()
                    ),
                );
            }
            continue;
        }
        let origin = if keys::is_loki_key(key) { " (a Loki key)" } else { "" };
        let message = match keys::meant(c.backend, key) {
            Some(meant) if c.secret.has(meant) => {
                format!(
                    "{}: key {key:?}{origin} is ignored by the Tempo Operator (it reads {meant:?}, which is also set): remove {key:?}",
                    c.subject()
                )
            }
            Some(meant) => {
                format!("{}: key {key:?}{origin} is ignored by the Tempo Operator: rename it to {meant:?}", c.subject())
            }
            None => format!("{}: key {key:?}{origin} is ignored by the Tempo Operator for {}", c.subject(), c.backend),
        };
        out.warn(Rule::UnusedKeys, path, message);
    }
}
