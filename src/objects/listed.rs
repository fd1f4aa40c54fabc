//! TempoStacks and TempoMonolithics as a namespace list returns them, pruned to
//! [`CR_FIELD_MASKS`]: each item's metadata and spec kept as the raw JSON the host sent, and read
//! (metadata as k8s-openapi's `ObjectMeta`, the spec by the lenient storage reader) only for the
//! CRs whose spec names the Secret under review. A namespace of a hundred TempoStacks is a hundred
//! short copies, not a hundred object trees.

use super::CrKind;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{ListableResource, NamespaceResourceScope, Resource};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// What a Secret's review reads of the CRs in its namespace: enough to tell which Secret each
/// uses and whether it is being deleted. Hosts that know field masks send nothing else.
pub const CR_FIELD_MASKS: &[&str] =
    &["metadata.name", "metadata.namespace", "metadata.deletionTimestamp", "spec.storage"];

/// A listed Tempo CR of either kind.
#[derive(Debug, Clone)]
pub struct ListedCr {
    pub kind: CrKind,
    /// `metadata` and `spec` as the host sent them (`None` when absent).
    metadata: Option<Box<RawValue>>,
    spec: Option<Box<RawValue>>,
}

impl ListedCr {
    /// The metadata, read now; metadata that does not read as `ObjectMeta` reads as empty (the
    /// API server never sends such; the CR is then judged as one without a name).
    pub fn metadata(&self) -> ObjectMeta {
        self.metadata.as_ref().and_then(|raw| serde_json::from_str(raw.get()).ok()).unwrap_or_default()
    }

    pub fn is_being_deleted(&self) -> bool {
        self.metadata().deletion_timestamp.is_some()
    }

    /// Whether the spec holds the JSON string `quoted` (a Secret's name as [`quoted`] writes it)
    /// anywhere. A CR whose storage names the Secret always does: the API server (Go's
    /// encoding/json) and serde_json write a name's characters as they are, except `"`, `\`,
    /// control characters and, in Go, `<`, `>`, `&`, none of which an object name
    /// (a DNS subdomain) can hold. A `false` is therefore certain; a `true` is checked by reading
    /// the storage section.
    pub fn spec_mentions(&self, quoted: &str) -> bool {
        self.spec.as_ref().is_some_and(|spec| spec.get().contains(quoted))
    }

    /// The CR as the JSON object the storage reader takes (name, namespace and spec); a spec
    /// that is not JSON the host could have sent reads as `null`.
    pub fn to_object(&self) -> Value {
        let meta = self.metadata();
        let mut metadata = Map::new();
        if let Some(name) = meta.name {
            metadata.insert("name".into(), Value::String(name));
        }
        if let Some(namespace) = meta.namespace {
            metadata.insert("namespace".into(), Value::String(namespace));
        }
        let spec = self.spec.as_ref().and_then(|raw| serde_json::from_str(raw.get()).ok()).unwrap_or(Value::Null);
        let mut object = Map::new();
        object.insert("metadata".into(), Value::Object(metadata));
        object.insert("spec".into(), spec);
        Value::Object(object)
    }
}

/// A name as a JSON string, the form [`ListedCr::spec_mentions`] looks for.
pub fn quoted(name: &str) -> String {
    serde_json::to_string(name).unwrap_or_default()
}

/// One view type per kind: `k8s_openapi::List<T>` checks the list's `kind` against
/// `T::LIST_KIND`, so each kind needs its own `ListableResource`.
macro_rules! tempo_cr_view {
    ($view:ident, $kind:ident, $plural:literal, $list_kind:literal) => {
        #[doc = concat!("A listed `", stringify!($kind), "`.")]
        #[derive(Debug, Clone, Default, Deserialize)]
        pub struct $view {
            #[serde(default)]
            pub metadata: Option<Box<RawValue>>,
            #[serde(default)]
            pub spec: Option<Box<RawValue>>,
        }

        impl Resource for $view {
            const API_VERSION: &'static str = "tempo.grafana.com/v1alpha1";
            const GROUP: &'static str = "tempo.grafana.com";
            const KIND: &'static str = stringify!($kind);
            const VERSION: &'static str = "v1alpha1";
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = NamespaceResourceScope;
        }

        impl ListableResource for $view {
            const LIST_KIND: &'static str = $list_kind;
        }

        impl From<$view> for ListedCr {
            fn from(view: $view) -> Self {
                ListedCr { kind: CrKind::$kind, metadata: view.metadata, spec: view.spec }
            }
        }
    };
}

tempo_cr_view!(TempoStackView, TempoStack, "tempostacks", "TempoStackList");
tempo_cr_view!(TempoMonolithicView, TempoMonolithic, "tempomonolithics", "TempoMonolithicList");

/// Reads a list answer (`{"kind": "TempoStackList", "items": [...]}`) into [`ListedCr`]s.
pub fn from_list_json(kind: CrKind, json: &str) -> Result<Vec<ListedCr>, serde_json::Error> {
    fn items<T: ListableResource + for<'de> Deserialize<'de> + Into<ListedCr>>(
        json: &str,
    ) -> Result<Vec<ListedCr>, serde_json::Error> {
        let list: k8s_openapi::List<T> = serde_json::from_str(json)?;
        Ok(list.items.into_iter().map(Into::into).collect())
    }
    match kind {
        CrKind::TempoStack => items::<TempoStackView>(json),
        CrKind::TempoMonolithic => items::<TempoMonolithicView>(json),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_policy_server_sends_them() {
        let json = r#"{"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoStackList","metadata":{},"items":[
            {"apiVersion":"tempo.grafana.com/v1alpha1","kind":"TempoStack",
             "metadata":{"name":"simplest","namespace":"observability","deletionTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"storage":{"secret":{"name":"tempo-s3","type":"s3"}}}}]}"#;
        let crs = from_list_json(CrKind::TempoStack, json).unwrap();
        assert_eq!(crs.len(), 1);
        assert!(crs[0].is_being_deleted());
        assert_eq!(crs[0].to_object()["spec"]["storage"]["secret"]["name"], "tempo-s3");
        assert_eq!(crs[0].to_object()["metadata"]["name"], "simplest");
        // The list kind is checked: a TempoMonolithic list is not a TempoStack list.
        assert!(from_list_json(CrKind::TempoMonolithic, json).is_err());
        assert!(from_list_json(CrKind::TempoStack, r#"{"items":null}"#).unwrap().is_empty());
    }

    #[test]
    fn a_spec_mentions_a_name_only_as_a_whole_json_string() {
        let json = r#"{"kind":"TempoStackList","items":[
            {"metadata":{"name":"a"},"spec":{"storage":{"secret":{"name":"minio-001","type":"s3"}}}},
            {"metadata":{"name":"b"},"spec":{"storage":{"secret":{"name":"min\"io","type":"s3"}}}},
            {"metadata":{"name":"c"}}]}"#;
        let crs = from_list_json(CrKind::TempoStack, json).unwrap();
        assert!(crs[0].spec_mentions(&quoted("minio-001")));
        assert!(!crs[0].spec_mentions(&quoted("minio")));
        assert!(!crs[0].spec_mentions(&quoted("001")));
        // A name that JSON escapes is looked for as JSON writes it.
        assert!(crs[1].spec_mentions(&quoted("min\"io")));
        assert!(!crs[2].spec_mentions(&quoted("minio")));
        assert_eq!(crs[2].to_object()["spec"], Value::Null);
    }
}
