//! `secret-in-use`: a storage Secret cannot be deleted while a Tempo CR still reads it.
//!
//! ## What it checks
//! DELETE of a Secret: the TempoStacks and TempoMonolithics in its namespace are listed, and if
//! any (not itself being deleted) names the Secret, the delete is refused, naming them.
//!
//! The Secret's name comes from the request, or from `oldObject` when the request has none: a
//! `kubectl delete secrets --all` and the namespace controller send DELETECOLLECTION, which the
//! API server admits object by object with an empty `name`
//! (`AdmissionToValidateObjectDeleteFunc` in k8s.io/apiserver/pkg/registry/rest/delete.go).
//!
//! When the Namespace is being deleted (`status.phase: Terminating`, looked up only once a user
//! is found), the delete is accepted with a warning: the namespace controller deletes every
//! object in it, the CRs included, and refusing only makes the namespace wait on retries. A
//! failed Namespace look-up keeps the refusal and says the check was skipped.
//!
//! ## Why
//! Nothing in the operator guards the Secret: after a delete the stack keeps running until the
//! next reconcile or restart, then fails with `ConfigurationError` and stops ingesting traces.
//!
//! ## Example
//! Rejected: `kubectl delete secret tempo-s3` while TempoStack `simplest` uses it.
//! Accepted: the same after the TempoStack is deleted, or while namespace `observability` is
//! being deleted (with a warning).
//!
//! ## Settings
//! `storage.protectSecrets` (default true).

use crate::cluster::LookupError;
use crate::finding::Findings;
use crate::objects::StorageUse;
use crate::registry::Rule;

/// `users` is the review's look-up of the CRs that read Secret `name` (the review skips the
/// look-up when `storage.protectSecrets` is off or the Secret is not Opaque); `namespace_deleted`
/// its answer on the Namespace, asked only when there are users.
pub fn check(
    name: &str,
    namespace: &str,
    users: Result<Vec<StorageUse>, LookupError>,
    namespace_deleted: impl FnOnce(&mut Findings) -> bool,
    out: &mut Findings,
) {
    match users {
        Ok(users) if !users.is_empty() => {
            let names: Vec<String> = users.iter().map(|u| format!("{} ({})", u.cr, u.secret_path)).collect();
            if namespace_deleted(out) {
                out.warn(
                    Rule::SecretInUse,
                    format!("Secret/{name}"),
                    format!(
                        "Secret {name:?} is the object storage of {}, but namespace {namespace:?} is being deleted (Terminating) with them: accepted",
                        names.join(", ")
                    ),
                );
                return;
            }
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
