//! The look-up contract answered by Kubewarden's host capabilities, through the SDK's
//! `host_capabilities::kubernetes` (`get_resource`, `list_resources_by_namespace`).

use crate::cluster::{Cluster, Listed, Lookup, LookupError, Resource, classify_host_error, read_object, unreadable};
use crate::objects::CrKind;
use crate::objects::listed::{CR_FIELD_MASKS, ListedCr, TempoMonolithicView, TempoStackView};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kubewarden_policy_sdk::host_capabilities::kubernetes::{
    GetResourceRequest, ListResourcesByNamespaceRequest, get_resource, list_resources_by_namespace,
};
use kubewarden_policy_sdk::logging::KubewardenDrain;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::rc::Rc;
use std::sync::LazyLock;

pub struct HostCluster;

/// Log records go to the host (`kubewarden/tracing/log`); only failed look-ups are logged, so the
/// accept path makes no host call for logging.
static LOG: LazyLock<slog::Logger> =
    LazyLock::new(|| slog::Logger::root(KubewardenDrain::new(), slog::o!("policy" => "tempo-policy")));

fn get<T: DeserializeOwned>(resource: Resource, namespace: Option<&str>, name: &str) -> Lookup<Rc<T>> {
    let request = GetResourceRequest {
        api_version: resource.api_version().to_string(),
        kind: resource.kind().to_string(),
        name: name.to_string(),
        namespace: namespace.map(str::to_string),
        // The host's 5-second cache is what keeps a burst of applies off the API server.
        disable_cache: false,
        field_masks: None,
    };
    // Read as raw JSON first, so that an object that is not a valid `T` (a replayed Secret whose
    // data is not base64) still reaches the lenient reader instead of being lost in a serde error.
    match get_resource::<Box<RawValue>>(&request) {
        Ok(raw) => read_object(resource, name, raw.get().to_string()).map(|object| Some(Rc::new(object))),
        Err(e) => settle(e, resource, namespace, name).map(|()| None),
    }
}

fn list<T>(kind: CrKind, namespace: &str) -> Result<Listed, LookupError>
where
    T: k8s_openapi::ListableResource + DeserializeOwned + Clone + Into<ListedCr>,
{
    let resource = Resource::of_cr(kind);
    let request = ListResourcesByNamespaceRequest {
        api_version: resource.api_version().to_string(),
        kind: resource.kind().to_string(),
        namespace: namespace.to_string(),
        label_selector: None,
        field_selector: None,
        field_masks: Some(CR_FIELD_MASKS.iter().map(|m| m.to_string()).collect()),
    };
    match list_resources_by_namespace::<T>(&request) {
        Ok(list) => Ok(list.items.into_iter().map(Into::into).collect()),
        // The kind is not served: there is none of it in the namespace.
        Err(e) => settle(e, resource, Some(namespace), "").map(|()| Listed::default()),
    }
}

/// `Ok(())` for "not found"; every other failure is logged for the cluster's operators (who fix
/// grants and RBAC) and becomes the `lookup-skipped` warning the user sees.
fn settle(
    e: kubewarden_policy_sdk::Error,
    resource: Resource,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), LookupError> {
    let verdict = match &e {
        kubewarden_policy_sdk::Error::HostCall { source, .. } => {
            classify_host_error(&source.to_string(), resource, name)
        }
        kubewarden_policy_sdk::Error::Deserialization { source, .. } => Err(unreadable(resource, name, source)),
        other => Err(LookupError::Failed(other.to_string())),
    };
    if let Err(failure) = &verdict {
        slog::warn!(LOG, "look-up failed, cross-check skipped";
            "resource" => resource.to_string(), "namespace" => namespace.unwrap_or(""), "name" => name,
            "error" => failure.to_string());
    }
    verdict
}

impl Cluster for HostCluster {
    fn secret(&self, namespace: &str, name: &str) -> Lookup<Rc<Secret>> {
        get(Resource::Secret, Some(namespace), name)
    }
    fn config_map(&self, namespace: &str, name: &str) -> Lookup<Rc<ConfigMap>> {
        get(Resource::ConfigMap, Some(namespace), name)
    }
    fn namespace(&self, name: &str) -> Lookup<Rc<Namespace>> {
        get(Resource::Namespace, None, name)
    }
    fn tempo_crs(&self, kind: CrKind, namespace: &str) -> Result<Listed, LookupError> {
        match kind {
            CrKind::TempoStack => list::<TempoStackView>(kind, namespace),
            CrKind::TempoMonolithic => list::<TempoMonolithicView>(kind, namespace),
        }
    }
}
