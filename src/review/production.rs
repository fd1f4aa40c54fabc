//! Whether a request is in production: the namespace name matches `production.namespaces`, or the Namespace carries all `production.namespaceLabels`.

use crate::cluster::Cluster;
use crate::finding::Findings;
use crate::registry::Rule;
use crate::settings::{Settings, compile_all};

pub fn is_production(namespace: &str, settings: &Settings, cluster: &dyn Cluster, out: &mut Findings) -> bool {
    let p = &settings.production;
    match compile_all("production.namespaces", &p.namespaces) {
        Ok(patterns) if patterns.iter().any(|re| re.is_match(namespace)) => return true,
        Ok(_) => {}
        // Fail closed: when production cannot be told apart, every namespace is production.
        Err(e) => {
            out.warn(
                Rule::LookupSkipped,
                format!("Namespace/{namespace}"),
                format!("{e}: namespace {namespace:?} is judged as production until the policy settings are fixed"),
            );
            return true;
        }
    }
    // Only ask the cluster when the setting needs it: most requests then make no look-up.
    if p.namespace_labels.is_empty() || namespace.is_empty() {
        return false;
    }
    match cluster.namespace(namespace) {
        Ok(Some(ns)) => {
            let labels = ns.metadata.labels.as_ref();
            p.namespace_labels.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        }
        Ok(None) => false,
        Err(e) => {
            out.warn(
                Rule::LookupSkipped,
                format!("Namespace/{namespace}"),
                format!("reading Namespace {namespace:?} {e}: production rules from production.namespaceLabels were not applied"),
            );
            false
        }
    }
}
