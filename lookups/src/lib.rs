//! Answers to the policy's Kubernetes look-ups (host capabilities), for every host of the
//! project: the waPC host (`tempo-policy`, which re-exports this crate as its `capabilities`
//! module), the policy's native tests and the bench.
//!
//! The host callback checks the grant, then hands the typed request to a
//! [`HostCapabilities`] implementation: [`Replay`] (kwctl's
//! `--replay-host-capabilities-interactions` files), [`NoCluster`] (no
//! cluster, no replay), or anything else, e.g. a set of YAML manifests.

use std::collections::VecDeque;
use std::fmt;
use std::path::Path;
use std::sync::Mutex;

use serde::Deserialize;
use serde_json::Value;

/// The look-up requests as the policy's SDK writes them, read with the same types.
pub use kubewarden_policy_sdk::host_capabilities::kubernetes::{
    GetResourceRequest, ListAllResourcesRequest as ListResourcesAllRequest, ListResourcesByNamespaceRequest,
};

/// A Kubernetes look-up made by the policy.
#[derive(Debug)]
pub enum KubernetesRequest {
    GetResource(GetResourceRequest),
    ListResourcesByNamespace(ListResourcesByNamespaceRequest),
    ListResourcesAll(ListResourcesAllRequest),
    /// `can_i` (SubjectAccessReview): no grant check, kept as raw JSON.
    CanI(Value),
}

/// Replay tags (kwctl's `CallbackRequestType` variant names).
pub const TAG_GET_RESOURCE: &str = "KubernetesGetResource";
pub const TAG_LIST_NAMESPACE: &str = "KubernetesListResourceNamespace";
pub const TAG_LIST_ALL: &str = "KubernetesListResourceAll";
pub const TAG_CAN_I: &str = "KubernetesCanI";

impl KubernetesRequest {
    /// Parse the JSON payload of `kubernetes/<operation>`. `Ok(None)` for an
    /// operation this host does not know.
    pub fn from_wire(operation: &str, payload: &[u8]) -> Result<Option<Self>, String> {
        let err = |e: serde_json::Error| format!("cannot decode kubernetes/{operation} request: {e}");
        Ok(Some(match operation {
            "get_resource" => Self::GetResource(serde_json::from_slice(payload).map_err(err)?),
            "list_resources_by_namespace" => {
                Self::ListResourcesByNamespace(serde_json::from_slice(payload).map_err(err)?)
            }
            "list_resources_all" => Self::ListResourcesAll(serde_json::from_slice(payload).map_err(err)?),
            "can_i" => Self::CanI(serde_json::from_slice(payload).map_err(err)?),
            _ => return Ok(None),
        }))
    }

    /// Wire operation name.
    pub fn operation(&self) -> &'static str {
        match self {
            Self::GetResource(_) => "get_resource",
            Self::ListResourcesByNamespace(_) => "list_resources_by_namespace",
            Self::ListResourcesAll(_) => "list_resources_all",
            Self::CanI(_) => "can_i",
        }
    }

    /// Replay tag, without the `!`.
    pub fn tag(&self) -> &'static str {
        match self {
            Self::GetResource(_) => TAG_GET_RESOURCE,
            Self::ListResourcesByNamespace(_) => TAG_LIST_NAMESPACE,
            Self::ListResourcesAll(_) => TAG_LIST_ALL,
            Self::CanI(_) => TAG_CAN_I,
        }
    }

    /// `(api_version, kind)` subject to the `contextAwareResources` grant.
    pub fn resource(&self) -> Option<(&str, &str)> {
        match self {
            Self::GetResource(r) => Some((&r.api_version, &r.kind)),
            Self::ListResourcesByNamespace(r) => Some((&r.api_version, &r.kind)),
            Self::ListResourcesAll(r) => Some((&r.api_version, &r.kind)),
            Self::CanI(_) => None,
        }
    }

    /// The request as JSON, as it crossed the wire.
    fn body(&self) -> Value {
        let v = match self {
            Self::GetResource(r) => serde_json::to_value(r),
            Self::ListResourcesByNamespace(r) => serde_json::to_value(r),
            Self::ListResourcesAll(r) => serde_json::to_value(r),
            Self::CanI(v) => Ok(v.clone()),
        };
        v.unwrap_or_default()
    }

    /// The request as the policy wrote it, fields in the SDK's order.
    fn body_json(&self) -> String {
        let v = match self {
            Self::GetResource(r) => serde_json::to_string(r),
            Self::ListResourcesByNamespace(r) => serde_json::to_string(r),
            Self::ListResourcesAll(r) => serde_json::to_string(r),
            Self::CanI(v) => serde_json::to_string(v),
        };
        v.unwrap_or_default()
    }
}

/// The SDK's request types are neither `Clone` nor `PartialEq`: two requests are the same when
/// they are of one kind and say the same on the wire, which is what kwctl's replay compares.
impl PartialEq for KubernetesRequest {
    fn eq(&self, other: &Self) -> bool {
        self.tag() == other.tag() && self.body() == other.body()
    }
}

impl Clone for KubernetesRequest {
    fn clone(&self) -> Self {
        match self {
            Self::GetResource(r) => Self::GetResource(GetResourceRequest {
                api_version: r.api_version.clone(),
                kind: r.kind.clone(),
                name: r.name.clone(),
                namespace: r.namespace.clone(),
                disable_cache: r.disable_cache,
                field_masks: r.field_masks.clone(),
            }),
            Self::ListResourcesByNamespace(r) => Self::ListResourcesByNamespace(ListResourcesByNamespaceRequest {
                api_version: r.api_version.clone(),
                kind: r.kind.clone(),
                namespace: r.namespace.clone(),
                label_selector: r.label_selector.clone(),
                field_selector: r.field_selector.clone(),
                field_masks: r.field_masks.clone(),
            }),
            Self::ListResourcesAll(r) => Self::ListResourcesAll(ListResourcesAllRequest {
                api_version: r.api_version.clone(),
                kind: r.kind.clone(),
                label_selector: r.label_selector.clone(),
                field_selector: r.field_selector.clone(),
                field_masks: r.field_masks.clone(),
            }),
            Self::CanI(v) => Self::CanI(v.clone()),
        }
    }
}

impl KubernetesRequest {
    /// Build from a replay file's tagged request.
    fn from_tagged(tag: &str, value: serde_yaml_ng::Value) -> Result<Option<Self>, String> {
        let err = |e: serde_yaml_ng::Error| format!("!{tag}: {e}");
        Ok(Some(match tag {
            TAG_GET_RESOURCE => Self::GetResource(serde_yaml_ng::from_value(value).map_err(err)?),
            TAG_LIST_NAMESPACE => Self::ListResourcesByNamespace(serde_yaml_ng::from_value(value).map_err(err)?),
            TAG_LIST_ALL => Self::ListResourcesAll(serde_yaml_ng::from_value(value).map_err(err)?),
            TAG_CAN_I => Self::CanI(serde_yaml_ng::from_value(value).map_err(err)?),
            _ => return Ok(None),
        }))
    }
}

impl fmt::Display for KubernetesRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "!{} {}", self.tag(), self.body_json())
    }
}

/// Answers the granted Kubernetes look-ups of a policy.
///
/// `Ok` bytes go to the guest as the host-call response (JSON of the object
/// or of a Kubernetes List); `Err` text becomes the host-call error.
pub trait HostCapabilities: Send + Sync {
    /// Answer one look-up; the grant has already been checked.
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String>;

    /// Warnings to show once evaluation is over (e.g. unused replay entries).
    fn finish(&self) -> Vec<String> {
        Vec::new()
    }
}

/// No cluster and no replay file: every granted look-up fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCluster;

impl HostCapabilities for NoCluster {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        Err(format!(
            "failed to infer config: tempo-policy has no Kubernetes cluster connection; \
             answer this look-up ({request}) with --replay-host-capabilities-interactions FILE"
        ))
    }
}

/// A recorded request: a known Kubernetes request, or another tag this host
/// cannot issue (it then never matches).
#[derive(Debug, Clone, PartialEq)]
pub enum RecordedRequest {
    Kubernetes(KubernetesRequest),
    Other { tag: String, value: Value },
}

impl fmt::Display for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kubernetes(k) => k.fmt(f),
            Self::Other { tag, value } => write!(f, "!{tag} {value}"),
        }
    }
}

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedResponse {
    /// JSON text returned to the guest.
    Success(String),
    /// Host-call error message.
    Error(String),
}

/// One `type: Exchange` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum RawInteraction {
    Exchange { request: String, response: RawResponse },
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum RawResponse {
    Success { payload: String },
    Error { message: String },
}

/// Why a replay file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReplayFileError {
    #[error("cannot read replay file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("replay file {origin} is not a list of `{{type: Exchange, request, response}}` entries: {message}")]
    Format { origin: String, message: String },
    #[error("replay file {origin}, entry #{index}: {message}")]
    Entry { origin: String, index: usize, message: String },
}

/// Answers look-ups from a kwctl replay file, first in first out.
#[derive(Debug)]
pub struct Replay {
    recorded: Vec<Interaction>,
    queue: Mutex<VecDeque<Interaction>>,
}

impl Replay {
    /// From already parsed interactions.
    pub fn new(interactions: Vec<Interaction>) -> Self {
        Self { queue: Mutex::new(interactions.iter().cloned().collect()), recorded: interactions }
    }

    /// Parse a replay file's text.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, ReplayFileError> {
        let raw: Vec<RawInteraction> = serde_yaml_ng::from_str(text)
            .map_err(|e| ReplayFileError::Format { origin: origin.to_owned(), message: e.to_string() })?;
        let mut interactions = Vec::with_capacity(raw.len());
        for (index, RawInteraction::Exchange { request, response }) in raw.into_iter().enumerate() {
            let entry_err = |message: String| ReplayFileError::Entry { origin: origin.to_owned(), index, message };
            let parsed: serde_yaml_ng::Value =
                serde_yaml_ng::from_str(&request).map_err(|e| entry_err(format!("request is not valid YAML: {e}")))?;
            let serde_yaml_ng::Value::Tagged(tagged) = parsed else {
                return Err(entry_err(
                    "request must be a tagged YAML value, e.g. `!KubernetesGetResource {api_version: v1, ...}`"
                        .to_owned(),
                ));
            };
            let tag = tagged.tag.to_string();
            let tag = tag.trim_start_matches('!').to_owned();
            let request = match KubernetesRequest::from_tagged(&tag, tagged.value.clone()).map_err(entry_err)? {
                Some(k) => RecordedRequest::Kubernetes(k),
                None => RecordedRequest::Other {
                    value: serde_yaml_ng::from_value(tagged.value).unwrap_or(Value::Null),
                    tag,
                },
            };
            let response = match response {
                RawResponse::Success { payload } => RecordedResponse::Success(payload),
                RawResponse::Error { message } => RecordedResponse::Error(message),
            };
            interactions.push(Interaction { request, response });
        }
        Ok(Self::new(interactions))
    }

    /// Load a replay file.
    pub fn load(path: &Path) -> Result<Self, ReplayFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ReplayFileError::Read { path: path.display().to_string(), source })?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Start over from the first recorded interaction (benchmarks).
    pub fn rewind(&self) {
        if let Ok(mut q) = self.queue.lock() {
            *q = self.recorded.iter().cloned().collect();
        }
    }

    /// Interactions not consumed yet.
    pub fn remaining(&self) -> Vec<Interaction> {
        self.queue.lock().map(|q| q.iter().cloned().collect()).unwrap_or_default()
    }

    /// The Kubernetes look-ups not consumed yet, each with its recorded answer (other host
    /// calls left out): what a test or a benchmark answers from, however often it is asked.
    pub fn kubernetes_answers(&self) -> Vec<(KubernetesRequest, RecordedResponse)> {
        self.remaining()
            .into_iter()
            .filter_map(|i| match i.request {
                RecordedRequest::Kubernetes(k) => Some((k, i.response)),
                RecordedRequest::Other { .. } => None,
            })
            .collect()
    }
}

impl HostCapabilities for Replay {
    fn kubernetes(&self, request: &KubernetesRequest) -> Result<Vec<u8>, String> {
        let next = self
            .queue
            .lock()
            .map_err(|_| "replay state poisoned by an earlier failure".to_owned())?
            .pop_front()
            .ok_or_else(|| "the list of recorded responses is empty".to_owned())?;
        match &next.request {
            RecordedRequest::Kubernetes(recorded) if recorded == request => {}
            recorded => {
                return Err(format!(
                    "Replay error: unexpected request. Was expecting {recorded}, got {request} instead"
                ));
            }
        }
        match next.response {
            RecordedResponse::Success(payload) => Ok(payload.into_bytes()),
            RecordedResponse::Error(message) => Err(message),
        }
    }

    fn finish(&self) -> Vec<String> {
        self.remaining()
            .iter()
            .map(|i| format!("recorded host-capability interaction not used by the policy: {}", i.request))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const REPLAY: &str = r#"
- type: Exchange
  request: |
    !KubernetesGetResource
    api_version: v1
    kind: Secret
    name: tempo-s3
    namespace: observability
    disable_cache: false
  response:
    type: Success
    payload: '{"apiVersion":"v1","kind":"Secret"}'
- type: Exchange
  request: |
    !KubernetesListResourceNamespace
    api_version: tempo.grafana.com/v1alpha1
    kind: TempoStack
    namespace: observability
    label_selector: null
    field_selector: null
  response:
    type: Error
    message: Cannot find TempoStack
- type: Exchange
  request: |
    !KubernetesListResourceAll
    api_version: v1
    kind: Namespace
    label_selector: null
    field_selector: null
  response:
    type: Success
    payload: '{"items":[]}'
"#;

    fn get(name: &str) -> KubernetesRequest {
        KubernetesRequest::from_wire(
            "get_resource",
            format!(r#"{{"api_version":"v1","kind":"Secret","name":"{name}","namespace":"observability","disable_cache":false}}"#).as_bytes(),
        )
        .unwrap()
        .unwrap()
    }

    #[test]
    fn fifo_match_error_and_leftovers() {
        let replay = Replay::from_yaml(REPLAY, "t.yml").unwrap();
        assert_eq!(replay.kubernetes(&get("tempo-s3")).unwrap(), br#"{"apiVersion":"v1","kind":"Secret"}"#);
        let list = KubernetesRequest::from_wire(
            "list_resources_by_namespace",
            br#"{"api_version":"tempo.grafana.com/v1alpha1","kind":"TempoStack","namespace":"observability","label_selector":null,"field_selector":null,"field_masks":null}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(replay.kubernetes(&list).unwrap_err(), "Cannot find TempoStack");
        let leftovers = replay.finish();
        assert_eq!(leftovers.len(), 1);
        assert!(leftovers[0].contains("!KubernetesListResourceAll"), "{leftovers:?}");
    }

    #[test]
    fn mismatch_and_exhausted() {
        let replay = Replay::from_yaml(REPLAY, "t.yml").unwrap();
        let err = replay.kubernetes(&get("other")).unwrap_err();
        assert_eq!(
            err,
            r#"Replay error: unexpected request. Was expecting !KubernetesGetResource {"api_version":"v1","kind":"Secret","name":"tempo-s3","namespace":"observability","disable_cache":false,"field_masks":null}, got !KubernetesGetResource {"api_version":"v1","kind":"Secret","name":"other","namespace":"observability","disable_cache":false,"field_masks":null} instead"#
        );
        let _ = replay.kubernetes(&get("x"));
        let _ = replay.kubernetes(&get("x"));
        assert_eq!(replay.kubernetes(&get("x")).unwrap_err(), "the list of recorded responses is empty");
        replay.rewind();
        assert!(replay.kubernetes(&get("tempo-s3")).is_ok());
    }

    #[test]
    fn field_masks_must_match_when_present() {
        let replay = Replay::from_yaml(REPLAY, "t.yml").unwrap();
        let masked = KubernetesRequest::from_wire(
            "get_resource",
            br#"{"api_version":"v1","kind":"Secret","name":"tempo-s3","namespace":"observability","disable_cache":false,"field_masks":["data"]}"#,
        )
        .unwrap()
        .unwrap();
        assert!(replay.kubernetes(&masked).unwrap_err().starts_with("Replay error"));
    }

    #[test]
    fn bad_files() {
        assert!(Replay::from_yaml("{}", "x").is_err());
        let untagged = "- type: Exchange\n  request: 'api_version: v1'\n  response: {type: Error, message: m}\n";
        let err = Replay::from_yaml(untagged, "x").unwrap_err().to_string();
        assert!(err.contains("entry #0"), "{err}");
        let other = "- type: Exchange\n  request: '!DNSLookupHost {host: example.com}'\n  response: {type: Error, message: m}\n";
        let replay = Replay::from_yaml(other, "x").unwrap();
        assert!(replay.kubernetes(&get("a")).unwrap_err().contains("!DNSLookupHost"));
    }

    #[test]
    fn kubernetes_answers_are_what_is_left_of_the_look_ups() {
        let replay = Replay::from_yaml(REPLAY, "t.yml").unwrap();
        assert_eq!(replay.kubernetes_answers().len(), 3);
        replay.kubernetes(&get("tempo-s3")).unwrap();
        let left = replay.kubernetes_answers();
        assert_eq!(left.len(), 2);
        assert!(matches!(&left[0].1, RecordedResponse::Error(m) if m == "Cannot find TempoStack"), "{left:?}");
        let other = "- type: Exchange\n  request: '!DNSLookupHost {host: example.com}'\n  response: {type: Error, message: m}\n";
        assert!(Replay::from_yaml(other, "x").unwrap().kubernetes_answers().is_empty());
    }
}
