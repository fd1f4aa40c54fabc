//! The policy compiled natively, asking its look-ups of the same `HostCapabilities` as the wasm host.
//!
//! Why here, a source file shared by path rather than a module of a crate: the replay of host
//! look-ups exists once, `tempo_policy_lookups::Replay` (kwctl's files), and this
//! adapter turns any capabilities into the policy's look-up contract (`JsonCluster`) exactly as
//! `tempo_policy::host_cluster::HostCluster` does through waPC, down to the host's "Callback
//! evaluation failure" wrapping of failed look-ups. The native scenario tests, tests/integration/mutation.rs
//! and the bench example all use it (`#[path]`), so native and wasm runs answer from one replay
//! type with one error text. It needs the policy and the look-up crate, and neither may depend on
//! the other: the policy does not read replay files, and the host never links the policy.

#![allow(dead_code)]

use tempo_policy::cluster::{JsonCluster, Lookup, LookupError, Resource, classify_host_error};
use tempo_policy_lookups::{GetResourceRequest, HostCapabilities, KubernetesRequest, ListResourcesByNamespaceRequest};

/// The look-up contract answered by host capabilities, natively: what
/// `tempo_policy::host_cluster::HostCluster` does through waPC, down to the
/// callback's "Callback evaluation failure" wrapping of failed look-ups.
pub struct NativeCluster<'a>(pub &'a dyn HostCapabilities);

impl NativeCluster<'_> {
    fn ask(&self, request: KubernetesRequest, resource: Resource, name: &str) -> Lookup<String> {
        match self.0.kubernetes(&request) {
            Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
                LookupError::Failed(format!("the host answered a {resource} look-up with non-UTF-8 data"))
            }),
            Err(message) => {
                classify_host_error(&format!("Host error: Callback evaluation failure: {message}"), resource, name)
                    .map(|()| None)
            }
        }
    }
}

impl JsonCluster for NativeCluster<'_> {
    fn get_json(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Lookup<String> {
        let request = KubernetesRequest::GetResource(GetResourceRequest {
            api_version: resource.api_version().to_owned(),
            kind: resource.kind().to_owned(),
            name: name.to_owned(),
            namespace: namespace.map(str::to_owned),
            disable_cache: false,
            field_masks: None,
        });
        self.ask(request, resource, name)
    }

    fn list_json(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<String, LookupError> {
        let request = KubernetesRequest::ListResourcesByNamespace(ListResourcesByNamespaceRequest {
            api_version: resource.api_version().to_owned(),
            kind: resource.kind().to_owned(),
            namespace: namespace.to_owned(),
            label_selector: None,
            field_selector: None,
            field_masks: (!field_masks.is_empty()).then(|| field_masks.iter().map(|m| (*m).to_owned()).collect()),
        });
        Ok(self.ask(request, resource, "")?.unwrap_or_else(|| r#"{"items":[]}"#.to_owned()))
    }
}
