//! The look-up contract answered by Kubewarden's host capabilities (`kubernetes/get_resource`, `kubernetes/list_resources_by_namespace`).

use crate::cluster::{Cluster, LookupError, Resource, classify_host_error};
use kubewarden_policy_sdk::host_capabilities::kubernetes::{GetResourceRequest, ListResourcesByNamespaceRequest};
use serde_json::Value;

pub struct HostCluster;

fn call(operation: &str, request: &impl serde::Serialize) -> Result<Vec<u8>, String> {
    let payload = serde_json::to_vec(request).map_err(|e| e.to_string())?;
    kubewarden_policy_sdk::wapc_guest::host_call("kubewarden", "kubernetes", operation, &payload)
        .map_err(|e| e.to_string())
}

impl Cluster for HostCluster {
    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Result<Option<String>, LookupError> {
        let request = GetResourceRequest {
            api_version: resource.api_version().to_string(),
            kind: resource.kind().to_string(),
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            // The host's 5-second cache is what keeps a burst of applies off the API server.
            disable_cache: false,
            field_masks: None,
        };
        match call("get_resource", &request) {
            Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
                LookupError::Failed(format!("the host answered a {resource} look-up with non-UTF-8 data"))
            }),
            Err(message) => classify_host_error(&message).map(|()| None),
        }
    }

    fn list(&self, resource: Resource, namespace: &str, field_masks: &[&str]) -> Result<Vec<Value>, LookupError> {
        let request = ListResourcesByNamespaceRequest {
            api_version: resource.api_version().to_string(),
            kind: resource.kind().to_string(),
            namespace: namespace.to_string(),
            label_selector: None,
            field_selector: None,
            field_masks: if field_masks.is_empty() {
                None
            } else {
                Some(field_masks.iter().map(|m| m.to_string()).collect())
            },
        };
        match call("list_resources_by_namespace", &request) {
            Ok(bytes) => {
                let list: Value = serde_json::from_slice(&bytes).map_err(|_| {
                    LookupError::Failed(format!("the host answered a {resource} list with malformed JSON"))
                })?;
                match list.get("items") {
                    Some(Value::Array(items)) => Ok(items.clone()),
                    None | Some(Value::Null) => Ok(Vec::new()),
                    Some(_) => {
                        Err(LookupError::Failed(format!("the host answered a {resource} list without an items array")))
                    }
                }
            }
            Err(message) => match classify_host_error(&message) {
                // A namespace that does not exist has nothing in it.
                Ok(()) => Ok(Vec::new()),
                Err(e) => Err(e),
            },
        }
    }
}
