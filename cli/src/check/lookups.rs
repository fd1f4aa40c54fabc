//! The manifests' answers (the shared crate's [`ManifestLookups`]) served to the compiled policy
//! through the host's look-up interface, in the bytes policy-server would send.

use std::sync::Arc;

use tempo_policy_check::manifests::ManifestLookups;

use crate::capabilities::{HostCapabilities, KubernetesRequest};

/// [`ManifestLookups`] as the waPC host's [`HostCapabilities`].
pub struct Host(pub Arc<ManifestLookups>);

fn bytes(answer: Result<serde_json::Value, String>) -> Result<Vec<u8>, String> {
    serde_json::to_vec(&answer?).map_err(|e| e.to_string())
}

impl HostCapabilities for Host {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        let lookups = &self.0;
        match request {
            KubernetesRequest::GetResource(r) => {
                bytes(lookups.get(&r.api_version, &r.kind, r.namespace.as_deref(), &r.name, r.field_masks.as_ref()))
            }
            KubernetesRequest::ListResourcesByNamespace(r) => bytes(lookups.list(
                &r.api_version,
                &r.kind,
                Some(&r.namespace),
                r.label_selector.as_deref(),
                r.field_selector.as_deref(),
                r.field_masks.as_ref(),
            )),
            KubernetesRequest::ListResourcesAll(r) => bytes(lookups.list(
                &r.api_version,
                &r.kind,
                None,
                r.label_selector.as_deref(),
                r.field_selector.as_deref(),
                r.field_masks.as_ref(),
            )),
            KubernetesRequest::CanI(_) => {
                Err(lookups
                    .refuse("can_i", "tempo-policy check answers no authorization question (can_i) from manifests"))
            }
        }
    }
}
