//! Whether a namespace is being deleted: its Namespace is `Terminating`.

use crate::cluster::Cluster;
use crate::finding::Findings;
use crate::registry::Rule;

/// `status.phase: Terminating`, which the API server sets with `metadata.deletionTimestamp` when
/// the Namespace is deleted (pkg/registry/core/namespace/storage/storage.go, `Delete`); either
/// one counts. A failed look-up answers `false` and says the check was skipped; a Namespace that
/// does not exist is not being deleted.
pub fn is_terminating(namespace: &str, cluster: &dyn Cluster, out: &mut Findings) -> bool {
    if namespace.is_empty() {
        return false;
    }
    match cluster.namespace(namespace) {
        Ok(Some(ns)) => {
            ns.metadata.deletion_timestamp.is_some()
                || ns.status.and_then(|s| s.phase).is_some_and(|phase| phase == "Terminating")
        }
        Ok(None) => false,
        Err(e) => {
            out.warn(
                Rule::LookupSkipped,
                format!("Namespace/{namespace}"),
                format!("reading Namespace {namespace:?} {e}: could not tell whether the namespace is being deleted"),
            );
            false
        }
    }
}
