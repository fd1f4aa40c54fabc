//! `secret-in-use`: a storage Secret cannot be deleted while a Tempo CR still reads it.
//!
//! ## What it checks
//! DELETE of a Secret: the TempoStacks and TempoMonolithics in its namespace are listed, and if
//! any (not itself being deleted) names the Secret, the delete is refused, naming them.
//!
//! ## Why
//! Nothing in the operator guards the Secret: after a delete the stack keeps running until the
//! next reconcile or restart, then fails with `ConfigurationError` and stops ingesting traces.
//!
//! ## Example
//! Rejected: `kubectl delete secret tempo-s3` while TempoStack `simplest` uses it.
//! Accepted: the same after the TempoStack is deleted.
//!
//! ## Settings
//! `storage.protectSecrets` (default true).

use crate::cluster::LookupError;
use crate::finding::Findings;
use crate::objects::StorageUse;
use crate::registry::Rule;

/// `users` is the review's look-up of the CRs that read Secret `name` (the review skips the
/// look-up when `storage.protectSecrets` is off or the Secret is not Opaque).
pub fn check(name: &str, namespace: &str, users: Result<Vec<StorageUse>, LookupError>, out: &mut Findings) {
    match users {
        Ok(users) if !users.is_empty() => {
            let names: Vec<String> = users.iter().map(|u| format!("{} ({})", u.cr, u.secret_path)).collect();
            out.reject(
                Rule::SecretInUse,
                format!("Secret/{name}"),
                format!(
                    "Secret {name:?} is the object storage of {}, and deleting it breaks trace storage at the next reconcile: point the CR at another Secret or delete the CR first",
                    names.join(", ")
                ),
            );
        }
        Ok(_) => {}
        Err(e) => out.warn(
            Rule::LookupSkipped,
            format!("Secret/{name}"),
            format!("listing the Tempo CRs in namespace {namespace:?} {e}: could not tell whether Secret {name:?} is still in use"),
        ),
    }
}
