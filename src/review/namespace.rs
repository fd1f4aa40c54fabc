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
                || ns.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Terminating")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{JsonCluster, Lookup, LookupError, Resource};
    use serde_json::json;

    /// One Namespace, `observability`, as the API server would answer it.
    struct OneNamespace(serde_json::Value);

    impl JsonCluster for OneNamespace {
        fn get_json(&self, resource: Resource, _: Option<&str>, name: &str) -> Lookup<String> {
            assert_eq!(resource, Resource::Namespace);
            Ok((name == "observability").then(|| self.0.to_string()))
        }
        fn list_json(&self, _: Resource, _: &str, _: &[&str]) -> Result<String, LookupError> {
            Ok(r#"{"items":[]}"#.to_string())
        }
    }

    fn terminating(namespace: serde_json::Value) -> bool {
        let mut out = Findings::default();
        let answer = is_terminating("observability", &OneNamespace(namespace), &mut out);
        assert!(out.is_empty(), "{out:?}");
        answer
    }

    #[test]
    fn either_the_deletion_timestamp_or_the_phase_says_terminating() {
        let meta = json!({"name": "observability"});
        let deleted = json!({"name": "observability", "deletionTimestamp": "2026-12-01T10:15:00Z"});
        let ns = |metadata: &serde_json::Value, phase: &str| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": metadata, "status": {"phase": phase}});
        assert!(!terminating(ns(&meta, "Active")));
        assert!(terminating(ns(&meta, "Terminating")));
        // The API server sets the timestamp first; the phase follows in the same update, but a
        // reader between the two must still see the deletion.
        assert!(terminating(ns(&deleted, "Active")));
        assert!(terminating(ns(&deleted, "Terminating")));
        assert!(!terminating(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})));
    }

    #[test]
    fn a_namespace_that_is_not_there_or_not_named_is_not_being_deleted() {
        let mut out = Findings::default();
        let cluster = OneNamespace(json!({}));
        assert!(!is_terminating("elsewhere", &cluster, &mut out));
        assert!(!is_terminating("", &cluster, &mut out));
        assert!(out.is_empty());
    }
}
