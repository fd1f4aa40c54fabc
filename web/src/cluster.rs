//! The manifests as the engine's look-up contract: the same answers `tempo-policy check` serves
//! the compiled policy, read into the policy's typed `Cluster` by its own `JsonCluster` bridge.

use std::collections::BTreeSet;

use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource, classify_host_error};
use tempo_policy_check::manifests::ManifestLookups;

pub struct Manifests<'a>(pub &'a ManifestLookups);

impl JsonCluster for Manifests<'_> {
    fn get_json(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Lookup<String> {
        match self.0.get(resource.api_version(), resource.kind(), namespace, name, None) {
            Ok(object) => Ok(Some(object.to_string())),
            // The manifests answer a missing object with policy-server's text: classified by the
            // same function that reads the real host's answers.
            Err(text) => classify_host_error(&text, resource, name).map(|()| None),
        }
    }

    fn list_json(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<String, LookupError> {
        let masks: BTreeSet<String> = field_masks.iter().map(|m| (*m).to_owned()).collect();
        self.0
            .list(resource.api_version(), resource.kind(), Some(namespace), None, None, Some(&masks))
            .map(|list| list.to_string())
            .map_err(LookupError::Failed)
    }
}
