//! The look-up contract answered by Kubewarden's host capabilities (`kubernetes/get_resource`, `kubernetes/list_resources_by_namespace`).

use crate::cluster::{Cluster, LookupError, Resource, classify_host_error};
use serde::Serialize;
use serde_json::Value;

pub struct HostCluster;

/// The `get_resource` request, field for field as `kubewarden-policy-sdk` serialises its
/// `GetResourceRequest` (kwctl's replay sessions compare requests).
#[derive(Debug, Serialize)]
pub struct GetResourceRequest<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub disable_cache: bool,
    pub field_masks: Option<Vec<&'a str>>,
}

/// The `list_resources_by_namespace` request, as the SDK's `ListResourcesByNamespaceRequest`
/// (field masks sorted, as its `BTreeSet` serialises them).
#[derive(Debug, Serialize)]
pub struct ListResourcesByNamespaceRequest<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub label_selector: Option<&'a str>,
    pub field_selector: Option<&'a str>,
    pub field_masks: Option<Vec<&'a str>>,
}

fn call(operation: &str, request: &impl Serialize) -> Result<Vec<u8>, String> {
    let payload = serde_json::to_vec(request).map_err(|e| e.to_string())?;
    wapc_guest::host_call("kubewarden", "kubernetes", operation, &payload).map_err(|e| e.to_string())
}

impl Cluster for HostCluster {
    fn get(&self, resource: Resource, namespace: Option<&str>, name: &str) -> Result<Option<String>, LookupError> {
        let request = GetResourceRequest {
            api_version: resource.api_version(),
            kind: resource.kind(),
            name,
            namespace,
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
        let mut masks = field_masks.to_vec();
        masks.sort_unstable();
        masks.dedup();
        let request = ListResourcesByNamespaceRequest {
            api_version: resource.api_version(),
            kind: resource.kind(),
            namespace,
            label_selector: None,
            field_selector: None,
            field_masks: (!masks.is_empty()).then_some(masks),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The requests serialise exactly as kubewarden-policy-sdk 0.17's structs did: kwctl's replay
    /// sessions and policy-server read these bytes.
    #[test]
    fn requests_have_the_sdk_shape() {
        let get = GetResourceRequest {
            api_version: "v1",
            kind: "Secret",
            name: "tempo-s3",
            namespace: Some("observability"),
            disable_cache: false,
            field_masks: None,
        };
        assert_eq!(
            serde_json::to_string(&get).unwrap(),
            r#"{"api_version":"v1","kind":"Secret","name":"tempo-s3","namespace":"observability","disable_cache":false,"field_masks":null}"#
        );
        let list = ListResourcesByNamespaceRequest {
            api_version: "tempo.grafana.com/v1alpha1",
            kind: "TempoStack",
            namespace: "observability",
            label_selector: None,
            field_selector: None,
            field_masks: Some(vec!["metadata.name", "spec.storage"]),
        };
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"{"api_version":"tempo.grafana.com/v1alpha1","kind":"TempoStack","namespace":"observability","label_selector":null,"field_selector":null,"field_masks":["metadata.name","spec.storage"]}"#
        );
    }
}
